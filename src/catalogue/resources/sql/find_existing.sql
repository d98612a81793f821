-- The resource a record duplicates, with its content hash: the one saved from the same source
-- record ($2 connector, $3 source key) first, else the holder of the first of the given
-- identifiers ($4 kinds, $5 values, in their order) that one holds.
SELECT id, content_hash
FROM (
    SELECT r.id, r.content_hash, 0 AS rank, 0::bigint AS position
    FROM resources r
    WHERE r.publisher_id = $1 AND r.connector = $2 AND r.source_key = $3
    UNION ALL
    SELECT r.id, r.content_hash, 1, t.position
    FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS t (kind, value, position)
    JOIN resource_identifiers i ON i.publisher_id = $1 AND i.kind = t.kind AND i.value = t.value
    JOIN resources r ON r.id = i.resource_id
) found
ORDER BY rank, position
LIMIT 1
