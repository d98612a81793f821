UPDATE publisher_webhooks
SET secret_encrypted = $2, rotated_at = now()
WHERE publisher_id = $1
RETURNING publisher_id, url, created_at, rotated_at
