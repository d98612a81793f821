-- Licences past their end that the GAR's sweep has not seen yet, marked seen ($1 now, $2 at
-- most); of those, the ones with a GAR subscription (a PUT written) still standing (not
-- revoked), with what their update's body needs.
WITH seen AS (
    UPDATE licences l
    SET gar_expiry_seen_at = $1
    WHERE l.id IN (
        SELECT id FROM licences
        WHERE valid_until IS NOT NULL AND gar_expiry_seen_at IS NULL AND valid_until <= $1
        ORDER BY valid_until
        LIMIT $2
        FOR UPDATE SKIP LOCKED
    )
    RETURNING l.id, l.acquisition_id, l.offer_id, l.resource_id, l.seats, l.valid_from,
              l.valid_until, l.revoked_at
)
SELECT s.id AS licence_id, s.seats, s.valid_from, s.valid_until, r.title,
       o.licence_type, o.seats AS offer_seats, a.establishment_uai AS uai,
       coalesce(r.gar_resource_id, (
           SELECT min(i.value) FROM resource_identifiers i
           WHERE i.resource_id = r.id AND i.kind = 'ark')) AS gar_id,
       (s.revoked_at IS NULL
        AND EXISTS (SELECT 1 FROM gar_deliveries g WHERE g.licence_id = s.id AND g.method = 'PUT'))
           AS subscribed
FROM seen s
JOIN acquisitions a ON a.id = s.acquisition_id
JOIN offers o ON o.id = s.offer_id
JOIN resources r ON r.id = s.resource_id
