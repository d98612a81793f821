-- The offer with what the rules need; `on_sale` only when the offer, its resource and its
-- publisher all let it be sold.
SELECT o.id, o.licence_type, o.unit_price_cents, o.duration, o.duration_months, o.seats,
       r.id AS resource_id, r.title, r.resource_types, r.publisher_id,
       (o.status = 'published' AND r.status = 'published' AND v.id IS NOT NULL) AS on_sale
FROM offers o
JOIN resources r ON r.id = o.resource_id
LEFT JOIN visible_resources v ON v.id = r.id
WHERE o.id = $1
