-- The launch the authentication request continues: once, in time, by the same teacher.
UPDATE lti_launches SET authorized_at = now()
WHERE id = $1 AND person_id = $2 AND authorized_at IS NULL AND expires_at > now()
RETURNING tool_id, resource_id, link_id, message_type
