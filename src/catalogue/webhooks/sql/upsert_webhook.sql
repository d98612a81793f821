-- A publisher's webhook: created with its secret, or (already there) given a new URL only.
INSERT INTO publisher_webhooks (publisher_id, url, secret_encrypted)
VALUES ($1, $2, $3)
ON CONFLICT (publisher_id) DO UPDATE SET url = EXCLUDED.url
RETURNING publisher_id, url, created_at, rotated_at, (xmax = 0) AS created
