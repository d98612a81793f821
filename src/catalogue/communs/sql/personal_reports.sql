-- The reports a person filed (on communs and publishers' resources), for their download.
SELECT p.id, p.resource_id, r.title, p.reason, p.text, p.created_at,
       CASE WHEN p.closed_at IS NULL THEN 'open' ELSE 'closed' END AS state
FROM commun_reports p
LEFT JOIN resources r ON r.id = p.resource_id
WHERE p.reporter_id = $1
ORDER BY p.created_at, p.id
