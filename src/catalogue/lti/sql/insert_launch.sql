INSERT INTO lti_launches (person_id, tool_id, resource_id, link_id, message_type, expires_at)
VALUES ($1, $2, $3, $4, $5, now() + interval '5 minutes')
RETURNING id
