-- A publisher's client with its publisher's status, or a platform's client (no publisher).
SELECT c.client_id, c.publisher_id, c.platform_id, c.name, c.secret_hash, c.scopes,
       c.created_at, c.rotated_at, c.revoked_at, p.status AS publisher_status
FROM api_clients c
LEFT JOIN publishers p ON p.id = c.publisher_id
WHERE c.client_id = $1
