INSERT INTO search_outbox (resource_id)
SELECT id FROM resources WHERE connector = $1
