-- The tool that serves a resource, and whether this teacher holds a valid licence for it
-- (their own, or their establishment's); a suspended publisher's tools launch no more.
SELECT t.id AS tool_id, t.client_id, t.deployment_id, t.initiate_login_uri, t.target_link_uri,
       r.title,
       (SELECT p.status = 'suspended' FROM publishers p WHERE p.id = r.publisher_id)
           AS publisher_suspended,
       EXISTS (
           SELECT 1 FROM licences l
           WHERE l.resource_id = r.id AND l.revoked_at IS NULL
             AND (l.valid_until IS NULL OR l.valid_until > now())
             AND (l.person_id = $2 OR (l.holder_kind = 'establishment' AND l.holder = $3))
       ) AS licensed
FROM resources r
LEFT JOIN lti_tools t ON t.id = r.lti_tool_id
WHERE r.id = $1
