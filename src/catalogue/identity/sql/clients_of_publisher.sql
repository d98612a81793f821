SELECT client_id, publisher_id, name, scopes, created_at, rotated_at, revoked_at
FROM api_clients
WHERE publisher_id = $1
ORDER BY created_at, client_id
