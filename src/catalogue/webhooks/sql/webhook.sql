SELECT publisher_id, url, created_at, rotated_at FROM publisher_webhooks WHERE publisher_id = $1
