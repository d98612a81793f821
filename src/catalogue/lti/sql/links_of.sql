SELECT id, resource_id, kind, title, url FROM lti_links WHERE person_id = $1 ORDER BY created_at DESC
