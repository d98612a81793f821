DELETE FROM collection_items WHERE collection_id = $1 AND resource_id = $2
RETURNING resource_id
