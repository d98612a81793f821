INSERT INTO collection_follows (collection_id, person_id) VALUES ($1, $2)
ON CONFLICT DO NOTHING
