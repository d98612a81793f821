INSERT INTO commun_versions (resource_id, version, content) VALUES ($1, $2, $3::jsonb)
