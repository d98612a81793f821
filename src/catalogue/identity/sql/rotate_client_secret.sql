UPDATE api_clients
SET secret_hash = $3, rotated_at = now()
WHERE client_id = $1 AND publisher_id = $2 AND revoked_at IS NULL
RETURNING client_id, publisher_id, scopes
