INSERT INTO api_clients (client_id, platform_id, name, secret_hash, scopes, created_by)
VALUES ($1, $2, $3, $4, $5, $6)
