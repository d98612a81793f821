-- The deliveries, newest first ($1 status or NULL for all, $2 limit, $3 offset).
SELECT id, licence_id, subscription_id, method, body, status, attempts, next_attempt_at,
       created_at, delivered_at, last_status, last_error
FROM gar_deliveries
WHERE $1::text IS NULL OR status = $1
ORDER BY created_at DESC, id
LIMIT $2 OFFSET $3
