UPDATE publisher_webhooks SET secret_encrypted = $2 WHERE publisher_id = $1
