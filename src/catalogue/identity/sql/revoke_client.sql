UPDATE api_clients
SET revoked_at = now()
WHERE client_id = $1 AND publisher_id = $2 AND revoked_at IS NULL
RETURNING client_id
