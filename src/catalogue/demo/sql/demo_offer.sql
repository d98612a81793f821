-- A cheap teacher licence from the demo catalogue, for the demo teacher's first acquisition.
SELECT o.id
FROM offers o
JOIN visible_resources v ON v.id = o.resource_id
WHERE o.status = 'published' AND v.status = 'published' AND o.licence_type = 'teacher'
  AND o.unit_price_cents BETWEEN 100 AND 5000
ORDER BY o.unit_price_cents, o.id
LIMIT 1
