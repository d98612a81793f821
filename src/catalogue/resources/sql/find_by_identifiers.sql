-- The resource holding the first of the given identifiers that one holds (in their order).
SELECT i.resource_id
FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t (kind, value, position)
JOIN resource_identifiers i ON i.publisher_id = $1 AND i.kind = t.kind AND i.value = t.value
ORDER BY t.position
LIMIT 1
