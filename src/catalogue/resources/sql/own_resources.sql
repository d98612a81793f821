SELECT id, title, status, connector, source_id, unknown_concepts, updated_at, gar_referenced,
       gar_resource_id
FROM resources
WHERE publisher_id = $1
ORDER BY updated_at DESC, id
LIMIT $2 OFFSET $3
