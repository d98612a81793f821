UPDATE api_clients SET revoked_at = now()
WHERE client_id = $1 AND platform_id IS NOT NULL AND revoked_at IS NULL
RETURNING client_id
