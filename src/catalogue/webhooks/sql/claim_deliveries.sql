-- Due deliveries, leased to this worker: their next attempt moves to $1 + $3 seconds, so a
-- worker that dies mid-request leaves them to be tried again then. $1 now, $2 at most.
UPDATE webhook_deliveries d
SET next_attempt_at = $1 + make_interval(secs => $3)
FROM publisher_webhooks w
WHERE d.id IN (
    SELECT id FROM webhook_deliveries
    WHERE status = 'pending' AND next_attempt_at <= $1
    ORDER BY next_attempt_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
  AND w.publisher_id = d.publisher_id
RETURNING d.id, d.publisher_id, d.payload, d.attempts, w.url, w.secret_encrypted
