-- Due deliveries, leased to this worker: their next attempt moves to $1 + $3 seconds, so a
-- worker that dies mid-request leaves them to be tried again then. $1 now, $2 at most. A
-- licence's calls go in the order they were written: one is due only when none written
-- before it is still pending. A PUT or a POST without a body yet (never attempted) comes
-- with what the worker builds it from, as it stands now: its licence, offer, resource (its
-- own GAR id, else its ARK) and the buyer's establishment. One statement for the batch.
WITH claimed AS (
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
)
SELECT c.id, c.licence_id, c.subscription_id, c.method, c.body, c.attempts,
       l.seats, l.valid_from, l.valid_until, r.title, o.licence_type, o.seats AS offer_seats,
       a.establishment_uai AS uai,
       coalesce(r.gar_resource_id, (
           SELECT min(i.value) FROM resource_identifiers i
           WHERE i.resource_id = r.id AND i.kind = 'ark')) AS gar_id
FROM claimed c
LEFT JOIN licences l ON l.id = c.licence_id AND c.body IS NULL AND c.method <> 'DELETE'
LEFT JOIN acquisitions a ON a.id = l.acquisition_id
LEFT JOIN offers o ON o.id = l.offer_id
LEFT JOIN resources r ON r.id = l.resource_id
