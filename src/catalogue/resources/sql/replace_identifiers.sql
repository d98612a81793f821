-- The resource's identifiers become the given ones. Only those no longer given are deleted:
-- every part of one statement sees the same snapshot, so an insert after a delete of the same
-- rows would meet them and skip them. An identifier already held by another resource of the
-- publisher stays with it, and is returned so the caller can say so.
WITH given AS (
    SELECT DISTINCT kind, value FROM unnest($3::text[], $4::text[]) AS t (kind, value)
),
gone AS (
    DELETE FROM resource_identifiers i
    WHERE i.resource_id = $1 AND (i.kind, i.value) NOT IN (SELECT kind, value FROM given)
),
added AS (
    INSERT INTO resource_identifiers (resource_id, publisher_id, kind, value)
    SELECT $1, $2, kind, value FROM given
    ON CONFLICT DO NOTHING
)
SELECT i.kind, i.value, i.resource_id AS owner
FROM given g
JOIN resource_identifiers i ON i.publisher_id = $2 AND i.kind = g.kind AND i.value = g.value
WHERE i.resource_id <> $1
ORDER BY i.kind, i.value
