WITH gone AS (DELETE FROM resource_identifiers WHERE resource_id = $1)
INSERT INTO resource_identifiers (resource_id, publisher_id, kind, value)
SELECT $1, $2, kind, value FROM unnest($3::text[], $4::text[]) AS t (kind, value)
ON CONFLICT DO NOTHING
