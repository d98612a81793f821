SELECT version, content ->> 'title' AS title, created_at
FROM commun_versions WHERE resource_id = $1 ORDER BY version DESC
