INSERT INTO search_outbox (resource_id) SELECT unnest($1::uuid[])
