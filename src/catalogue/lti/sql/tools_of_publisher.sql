SELECT t.client_id, t.deployment_id, t.name, r.id AS resource_id
FROM lti_tools t JOIN resources r ON r.lti_tool_id = t.id
WHERE t.publisher_id = $1
ORDER BY t.created_at
