SELECT count(*) AS pending, min(created_at) AS oldest FROM search_outbox
