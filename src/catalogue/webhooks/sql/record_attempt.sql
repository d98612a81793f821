-- One attempt in the log, and where its delivery stands after it.
-- $1 delivery, $2 at, $3 HTTP status, $4 error, $5 duration (ms), $6 status, $7 next attempt.
WITH attempt AS (
    INSERT INTO webhook_attempts (delivery_id, at, status_code, error, duration_ms)
    VALUES ($1, $2, $3, $4, $5)
)
UPDATE webhook_deliveries
SET attempts = attempts + 1,
    status = $6,
    next_attempt_at = $7,
    delivered_at = CASE WHEN $6 = 'delivered' THEN $2 END,
    last_status = $3,
    last_error = $4
WHERE id = $1
