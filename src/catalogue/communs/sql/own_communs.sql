-- "Mes publications": the author's communs with the last decision on each, then the decisions
-- on communs that were deleted.
SELECT c.resource_id AS id, v.content ->> 'title' AS title, c.state, c.version, c.updated_at,
       d.action AS decision, d.reason AS decision_reason
FROM communs c
JOIN commun_versions v ON v.resource_id = c.resource_id AND v.version = c.version
LEFT JOIN LATERAL (
    SELECT action, reason FROM commun_decisions
    WHERE resource_id = c.resource_id ORDER BY id DESC LIMIT 1
) d ON true
WHERE c.author_id = $1
ORDER BY c.updated_at DESC, c.resource_id
LIMIT $2
