SELECT f.id, f.name, f.media_type, f.size, f.sha256, f.created_at, f.storage_key
FROM commun_files f WHERE f.resource_id = $1 AND f.id = $2
