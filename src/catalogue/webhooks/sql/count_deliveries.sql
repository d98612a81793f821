SELECT count(*) FROM webhook_deliveries
WHERE publisher_id = $1 AND ($2::text IS NULL OR status = $2)
