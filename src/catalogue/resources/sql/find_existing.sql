-- For each record of a batch ($2 its number, $3 connector, $4 source key), the resource it
-- duplicates, with its content hash: the one saved from the same source record first, else
-- the holder of the first of the record's identifiers ($5 record numbers, $6 kinds, $7
-- values, each record's in their order) that one holds. Records that duplicate none are
-- absent.
SELECT DISTINCT ON (record) record, id, content_hash
FROM (
    SELECT k.record, r.id, r.content_hash, 0 AS rank, 0::bigint AS position
    FROM unnest($2::int[], $3::text[], $4::text[]) AS k (record, connector, source_key)
    JOIN resources r
        ON r.publisher_id = $1 AND r.connector = k.connector AND r.source_key = k.source_key
    UNION ALL
    SELECT t.record, r.id, r.content_hash, 1, t.position
    FROM unnest($5::int[], $6::text[], $7::text[]) WITH ORDINALITY AS t (record, kind, value, position)
    JOIN resource_identifiers i ON i.publisher_id = $1 AND i.kind = t.kind AND i.value = t.value
    JOIN resources r ON r.id = i.resource_id
) found
ORDER BY record, rank, position
