-- A publisher's deliveries, newest first ($2 status or NULL for all, $3 limit, $4 offset).
SELECT id, publisher_id, event_type, status, attempts, next_attempt_at, created_at,
       delivered_at, last_status, last_error, payload
FROM webhook_deliveries
WHERE publisher_id = $1 AND ($2::text IS NULL OR status = $2)
ORDER BY created_at DESC, id
LIMIT $3 OFFSET $4
