SELECT coalesce(array_agg(resource_id ORDER BY position, added_at), '{}')
FROM collection_items WHERE collection_id = $1
