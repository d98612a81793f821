SELECT id, resource_id
FROM search_outbox
ORDER BY id
LIMIT $1
FOR UPDATE SKIP LOCKED
