-- $2: every resource of the list, in their new order.
UPDATE collection_items i SET position = o.position
FROM unnest($2::uuid[]) WITH ORDINALITY AS o(resource_id, position)
WHERE i.collection_id = $1 AND i.resource_id = o.resource_id
