-- One attempt in the log, and where its delivery stands after it. $1 delivery, $2 at,
-- $3 HTTP status, $4 the start of the answer's body, $5 error, $6 duration (ms), $7 status,
-- $8 next attempt.
WITH attempt AS (
    INSERT INTO gar_attempts (delivery_id, at, status_code, body, error, duration_ms)
    VALUES ($1, $2, $3, $4, $5, $6)
)
UPDATE gar_deliveries
SET attempts = attempts + 1,
    status = $7,
    next_attempt_at = $8,
    delivered_at = CASE WHEN $7 = 'delivered' THEN $2 END,
    last_status = $3,
    last_error = $5
WHERE id = $1
