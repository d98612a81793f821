SELECT id, status, updated_at, publisher_id, publisher_name, title, description, keywords,
       languages, resource_types, pedagogical_types, levels, disciplines, access_url, rights
FROM visible_resources
WHERE id = $1 AND status IN ('published', 'withdrawn')
