DELETE FROM publisher_webhooks WHERE publisher_id = $1 RETURNING publisher_id
