WITH closed AS (
    UPDATE commun_reports x SET closed_at = now()
    FROM resources r
    WHERE x.resource_id = $1 AND x.closed_at IS NULL AND r.id = x.resource_id
      AND r.connector <> 'commun'
    RETURNING x.id
)
SELECT count(*) FROM closed
