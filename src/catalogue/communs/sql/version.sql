SELECT resource_id AS id, version, created_at, content
FROM commun_versions WHERE resource_id = $1 AND version = $2
