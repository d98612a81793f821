SELECT publisher_id, secret_encrypted FROM publisher_webhooks FOR UPDATE
