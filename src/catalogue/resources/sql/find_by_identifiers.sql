SELECT DISTINCT resource_id
FROM resource_identifiers
WHERE publisher_id = $1 AND (kind, value) IN (SELECT * FROM unnest($2::text[], $3::text[]))
