-- Sent again from the start: due now, with a fresh count of attempts (the log keeps the old).
UPDATE gar_deliveries
SET status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = NULL
WHERE id = $1
RETURNING id, licence_id, subscription_id, method, body, status, attempts, next_attempt_at,
          created_at, delivered_at, last_status, last_error
