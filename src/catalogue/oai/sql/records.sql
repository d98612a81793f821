-- What harvesters see: visible published resources, and withdrawn ones as deleted records
-- ("persistent" deletion). Ordered by datestamp, then id, for the cursor.
SELECT v.id, v.status, v.updated_at, v.publisher_id, v.publisher_name, v.title, v.description,
       v.keywords, v.languages, v.resource_types, v.pedagogical_types, v.levels, v.disciplines,
       v.formats, v.access_url, v.rights, v.audiences, r.contributors,
       (SELECT c.based_on FROM communs c WHERE c.resource_id = v.id) AS based_on,
       coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'value', i.value)
                                 ORDER BY i.kind, i.value)
                 FROM resource_identifiers i WHERE i.resource_id = v.id), '[]') AS identifiers
FROM visible_resources v
JOIN resources r ON r.id = v.id  -- the view predates the contributors column
WHERE v.status IN ('published', 'withdrawn')
  AND ($1::timestamptz IS NULL OR v.updated_at >= $1)
  AND ($2::timestamptz IS NULL OR v.updated_at < $2)
  AND ($3::uuid IS NULL OR v.publisher_id = $3)
  AND (v.updated_at, v.id) > ($4::timestamptz, $5::uuid)
ORDER BY v.updated_at, v.id
LIMIT $6
