-- The size of the current version's files (the limit per resource).
SELECT coalesce(sum(size), 0)::bigint FROM commun_files
WHERE resource_id = $1 AND last_version IS NULL
