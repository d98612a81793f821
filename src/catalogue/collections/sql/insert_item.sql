INSERT INTO collection_items (collection_id, resource_id, position)
VALUES ($1, $2, coalesce((SELECT max(position) + 1 FROM collection_items
                          WHERE collection_id = $1), 1))
ON CONFLICT DO NOTHING
RETURNING resource_id
