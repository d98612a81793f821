SELECT id FROM lti_links WHERE id = $1 AND person_id = $2 AND resource_id = $3
