SELECT resource_id, error, parked_at FROM search_outbox_parked ORDER BY parked_at LIMIT $1
