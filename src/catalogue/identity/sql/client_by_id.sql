SELECT c.client_id, c.publisher_id, c.name, c.secret_hash, c.scopes, c.created_at,
       c.rotated_at, c.revoked_at, p.status AS publisher_status
FROM api_clients c
JOIN publishers p ON p.id = c.publisher_id
WHERE c.client_id = $1
