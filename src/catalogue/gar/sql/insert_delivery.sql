-- A call to the GAR subscription service for a licence ($1 delivery id, $2 licence id,
-- $3 idAbonnement, $4 method, $5 XML body or NULL, $6 created at: due at once). A DELETE is
-- written only for a subscription that was created (a PUT queued before it).
INSERT INTO gar_deliveries (id, licence_id, subscription_id, method, body, created_at,
                            next_attempt_at)
SELECT $1, $2, $3, $4, $5, $6, $6
WHERE $4 <> 'DELETE'
   OR EXISTS (SELECT 1 FROM gar_deliveries WHERE licence_id = $2 AND method = 'PUT')
RETURNING id
