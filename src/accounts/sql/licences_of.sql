SELECT l.id, l.resource_id, r.title AS resource_title, l.offer_id, l.holder_kind, l.holder, l.seats,
       l.valid_from, l.valid_until, l.revoked_at, r.lti_tool_id IS NOT NULL AS launchable
FROM licences l JOIN resources r ON r.id = l.resource_id
WHERE l.person_id = $1
ORDER BY l.valid_from DESC
