-- What administrators review: communs awaiting a first review, and communs with open reports,
-- within the caller's académie ($1 NULL: every académie, for a national administrator).
SELECT c.resource_id AS id, v.content ->> 'title' AS title, c.state, c.academie,
       c.updated_at,
       coalesce(r.open_reports, 0) AS open_reports,
       coalesce(r.reasons, '{}') AS reasons
FROM communs c
JOIN commun_versions v ON v.resource_id = c.resource_id AND v.version = c.version
LEFT JOIN LATERAL (
    SELECT count(*) AS open_reports, array_agg(DISTINCT reason ORDER BY reason) AS reasons
    FROM commun_reports WHERE resource_id = c.resource_id AND closed_at IS NULL
) r ON true
WHERE (c.state = 'pending' OR r.open_reports > 0)
  AND ($1::text IS NULL OR c.academie = $1)
ORDER BY c.state = 'pending' DESC, c.updated_at, c.resource_id
LIMIT $2
