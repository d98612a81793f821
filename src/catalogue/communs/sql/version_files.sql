-- The files a version ($2) had, as they were then.
SELECT id, name, media_type, size, sha256, created_at
FROM commun_files
WHERE resource_id = $1 AND first_version <= $2 AND (last_version IS NULL OR last_version >= $2)
ORDER BY name
