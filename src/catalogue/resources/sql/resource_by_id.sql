-- visible: shown outside its publisher (an approved publisher's, or approved on its own).
SELECT r.*, p.name AS publisher_name,
       EXISTS (SELECT 1 FROM visible_resources v WHERE v.id = r.id) AS visible,
       coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'value', i.value)
                                 ORDER BY i.kind, i.value)
                 FROM resource_identifiers i WHERE i.resource_id = r.id), '[]') AS identifiers,
       coalesce((SELECT json_agg(json_build_object(
                    'id', o.id, 'licence_type', o.licence_type,
                    'unit_price_cents', o.unit_price_cents, 'duration', o.duration,
                    'duration_months', o.duration_months, 'seats', o.seats, 'status', o.status)
                    ORDER BY o.unit_price_cents, o.id)
                 FROM offers o WHERE o.resource_id = r.id), '[]') AS offers
FROM resources r
JOIN publishers p ON p.id = r.publisher_id
WHERE r.id = $1
