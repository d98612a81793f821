-- Licences past their end that the GAR's sweep has not seen yet, marked seen ($1 now, $2 at
-- most); `subscribed`: a GAR subscription (a PUT written) still standing (not revoked), whose
-- update the worker will build from the licence.
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
    RETURNING l.id, l.revoked_at
)
SELECT s.id AS licence_id,
       (s.revoked_at IS NULL
        AND EXISTS (SELECT 1 FROM gar_deliveries g WHERE g.licence_id = s.id AND g.method = 'PUT'))
           AS subscribed
FROM seen s
