-- Licences past their end that the sweep has not seen yet, marked seen ($1 now, $2 at most):
-- with what their expiry event needs, and whether their publisher wants it (a webhook
-- registered before the licence ended, the licence not revoked).
WITH seen AS (
    UPDATE licences l
    SET expiry_seen_at = $1
    WHERE l.id IN (
        SELECT id FROM licences
        WHERE valid_until IS NOT NULL AND expiry_seen_at IS NULL AND valid_until <= $1
        ORDER BY valid_until
        LIMIT $2
        FOR UPDATE SKIP LOCKED
    )
    RETURNING l.id, l.acquisition_id, l.offer_id, l.resource_id, l.publisher_id, l.holder_kind,
              l.holder, l.seats, l.valid_from, l.valid_until, l.revoked_at
)
SELECT s.id, s.acquisition_id, s.offer_id, s.resource_id, s.publisher_id, s.holder_kind,
       s.holder, s.seats, s.valid_from, s.valid_until, a.quantity, a.total_cents,
       (s.revoked_at IS NULL AND w.created_at < s.valid_until) AS wanted
FROM seen s
JOIN acquisitions a ON a.id = s.acquisition_id
LEFT JOIN publisher_webhooks w ON w.publisher_id = s.publisher_id
