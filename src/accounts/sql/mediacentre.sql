-- What a teacher ($1) may use today, once per resource: licences of their own (teacher and
-- class licences) and those of their establishment ($2), valid now and not revoked; then the
-- visible communs they added to their resources (free: no licence); with what an ENT
-- médiacentre shows of each resource.
SELECT * FROM (
    SELECT DISTINCT ON (r.id)
           r.id, r.title, r.description, r.thumbnail_url, r.access_url,
           r.lti_tool_id IS NOT NULL AS launchable,
           r.resource_types, r.pedagogical_types, r.levels, r.disciplines,
           p.id AS publisher_id, p.name AS publisher_name,
           (SELECT i.value FROM resource_identifiers i
            WHERE i.resource_id = r.id AND i.kind = 'ark' ORDER BY i.value LIMIT 1) AS ark,
           false AS commun
    FROM licences l
    JOIN resources r ON r.id = l.resource_id
    JOIN publishers p ON p.id = r.publisher_id
    WHERE l.revoked_at IS NULL
      AND l.valid_from <= now() AND (l.valid_until IS NULL OR l.valid_until > now())
      AND ((l.holder_kind = 'teacher' AND l.person_id = $1)
           OR (l.holder_kind = 'establishment' AND l.holder = $2))
    ORDER BY r.id
) licensed
UNION ALL
SELECT r.id, r.title, r.description, r.thumbnail_url, r.access_url, false AS launchable,
       r.resource_types, r.pedagogical_types, r.levels, r.disciplines,
       p.id AS publisher_id, p.name AS publisher_name, NULL AS ark, true AS commun
FROM commun_selections s
JOIN communs c ON c.resource_id = s.resource_id AND c.state = 'visible'
JOIN resources r ON r.id = c.resource_id
JOIN publishers p ON p.id = r.publisher_id
WHERE s.person_id = $1
ORDER BY id
