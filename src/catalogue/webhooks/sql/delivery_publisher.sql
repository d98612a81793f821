SELECT publisher_id FROM webhook_deliveries WHERE id = $1
