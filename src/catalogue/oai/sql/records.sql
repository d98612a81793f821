-- What harvesters see: visible published resources, and withdrawn ones as deleted records
-- ("persistent" deletion). Ordered by datestamp, then id, for the cursor.
SELECT id, status, updated_at, publisher_id, publisher_name, title, description, keywords,
       languages, resource_types, pedagogical_types, levels, disciplines, access_url, rights
FROM visible_resources
WHERE status IN ('published', 'withdrawn')
  AND ($1::timestamptz IS NULL OR updated_at >= $1)
  AND ($2::timestamptz IS NULL OR updated_at < $2)
  AND ($3::uuid IS NULL OR publisher_id = $3)
  AND (updated_at, id) > ($4::timestamptz, $5::uuid)
ORDER BY updated_at, id
LIMIT $6
