-- A page of searchable resources in id order, for rebuilding the index (keyset pagination).
SELECT r.id, r.title, r.description, r.keywords, r.publisher_id, p.name AS publisher_name,
       r.thumbnail_url, r.levels, r.disciplines, r.resource_types, r.pedagogical_types,
       r.accessibility, r.languages, r.published_at,
       coalesce(o.licence_types, '{}') AS licence_types,
       coalesce(o.min_price, 0) AS min_price_cents
FROM resources r
JOIN publishers p ON p.id = r.publisher_id
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT licence_type) AS licence_types, min(unit_price_cents) AS min_price
    FROM offers WHERE resource_id = r.id AND status = 'published'
) o ON true
WHERE r.id > $1 AND r.status = 'published'
  AND (p.status = 'approved' OR (p.status = 'pending' AND r.approved_at IS NOT NULL))
ORDER BY r.id
LIMIT $2
