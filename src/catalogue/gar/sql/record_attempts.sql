-- A batch of attempts in the log, and where each delivery stands after its own, in one
-- statement: $1 deliveries, $2 at, $3 HTTP statuses, $4 the starts of the answers' bodies,
-- $5 errors, $6 durations (ms), $7 statuses, $8 next attempts, $9 the bodies sent, kept by a
-- delivery that had none (a retry or a replay sends the same one again).
WITH attempt AS (
    INSERT INTO gar_attempts (delivery_id, at, status_code, body, error, duration_ms)
    SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::text[], $5::text[],
                         $6::int[])
)
UPDATE gar_deliveries d
SET attempts = d.attempts + 1,
    status = u.status,
    next_attempt_at = u.next_attempt_at,
    delivered_at = CASE WHEN u.status = 'delivered' THEN u.at END,
    last_status = u.status_code,
    last_error = u.error,
    body = coalesce(d.body, u.sent)
FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $5::text[], $7::text[],
            $8::timestamptz[], $9::text[])
    AS u (id, at, status_code, error, status, next_attempt_at, sent)
WHERE d.id = u.id
