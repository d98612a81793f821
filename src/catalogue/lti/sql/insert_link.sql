INSERT INTO lti_links (person_id, tool_id, resource_id, kind, title, url, custom)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, resource_id, kind, title, url
