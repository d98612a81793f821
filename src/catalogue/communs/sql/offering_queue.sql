-- Publishers' resources with open reports, for national administrators.
SELECT r.id, r.title, r.status AS state, NULL::text AS academie, r.updated_at,
       count(*) AS open_reports, array_agg(DISTINCT x.reason ORDER BY x.reason) AS reasons
FROM commun_reports x
JOIN resources r ON r.id = x.resource_id
WHERE x.closed_at IS NULL AND r.connector <> 'commun'
GROUP BY r.id
ORDER BY min(x.created_at), r.id
LIMIT $1
