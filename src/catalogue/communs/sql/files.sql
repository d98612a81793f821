-- The current version's files.
SELECT id, name, media_type, size, sha256, created_at
FROM commun_files WHERE resource_id = $1 AND last_version IS NULL ORDER BY name
