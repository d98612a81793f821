SELECT l.id, l.resource_id, r.title AS resource_title, l.offer_id, l.holder_kind, l.holder, l.seats,
       l.valid_from, l.valid_until, l.revoked_at, r.lti_tool_id IS NOT NULL AS launchable,
       -- In the ENT médiacentre through the GAR: where its latest subscription call stands.
       (SELECT CASE g.status WHEN 'delivered' THEN 'available' ELSE g.status END
        FROM gar_deliveries g WHERE g.licence_id = l.id
        ORDER BY g.created_at DESC, g.id DESC LIMIT 1) AS mediacentre
FROM licences l JOIN resources r ON r.id = l.resource_id
WHERE l.person_id = $1
ORDER BY l.valid_from DESC
