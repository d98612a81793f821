-- Due deliveries, leased to this worker: their next attempt moves to $1 + $3 seconds, so a
-- worker that dies mid-request leaves them to be tried again then. $1 now, $2 at most. A
-- licence's calls go in the order they were written: one is due only when none written
-- before it is still pending.
UPDATE gar_deliveries d
SET next_attempt_at = $1 + make_interval(secs => $3)
WHERE d.id IN (
    SELECT g.id FROM gar_deliveries g
    WHERE g.status = 'pending' AND g.next_attempt_at <= $1
      AND NOT EXISTS (
          SELECT 1 FROM gar_deliveries earlier
          WHERE earlier.licence_id = g.licence_id AND earlier.status = 'pending'
            AND (earlier.created_at, earlier.id) < (g.created_at, g.id))
    ORDER BY g.next_attempt_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
RETURNING d.id, d.licence_id, d.subscription_id, d.method, d.body, d.attempts
