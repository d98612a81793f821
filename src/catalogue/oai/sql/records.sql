-- What harvesters see: published resources of approved publishers, and withdrawn ones as
-- deleted records ("persistent" deletion). Ordered by datestamp, then id, for the cursor.
SELECT r.id, r.status, r.updated_at, r.publisher_id, p.name AS publisher_name, r.title,
       r.description, r.keywords, r.languages, r.resource_types, r.pedagogical_types,
       r.levels, r.disciplines, r.access_url, r.rights
FROM resources r
JOIN publishers p ON p.id = r.publisher_id
WHERE (p.status = 'approved' OR (p.status = 'pending' AND r.approved_at IS NOT NULL))
  AND r.status IN ('published', 'withdrawn')
  AND ($1::timestamptz IS NULL OR r.updated_at >= $1)
  AND ($2::timestamptz IS NULL OR r.updated_at < $2)
  AND ($3::uuid IS NULL OR r.publisher_id = $3)
  AND (r.updated_at, r.id) > ($4::timestamptz, $5::uuid)
ORDER BY r.updated_at, r.id
LIMIT $6
