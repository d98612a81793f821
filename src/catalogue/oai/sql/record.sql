SELECT r.id, r.status, r.updated_at, r.publisher_id, p.name AS publisher_name, r.title,
       r.description, r.keywords, r.languages, r.resource_types, r.pedagogical_types,
       r.levels, r.disciplines, r.access_url, r.rights
FROM resources r
JOIN publishers p ON p.id = r.publisher_id
WHERE r.id = $1 AND r.status IN ('published', 'withdrawn')
  AND (p.status = 'approved' OR (p.status = 'pending' AND r.approved_at IS NOT NULL))
