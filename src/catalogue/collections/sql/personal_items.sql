-- The resources of a person's lists, for their download, each list's in its order.
SELECT i.collection_id, i.resource_id, r.title, i.position, i.added_at
FROM collections c
JOIN collection_items i ON i.collection_id = c.id
JOIN resources r ON r.id = i.resource_id
WHERE c.owner_id = $1
ORDER BY i.collection_id, i.position, i.added_at
