SELECT v.id, v.status, v.updated_at, v.publisher_id, v.publisher_name, v.title, v.description,
       v.keywords, v.languages, v.resource_types, v.pedagogical_types, v.levels, v.disciplines,
       v.formats, v.access_url, v.rights, v.audiences, r.contributors,
       (SELECT c.based_on FROM communs c WHERE c.resource_id = v.id) AS based_on,
       coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'value', i.value)
                                 ORDER BY i.kind, i.value)
                 FROM resource_identifiers i WHERE i.resource_id = v.id), '[]') AS identifiers
FROM visible_resources v
JOIN resources r ON r.id = v.id  -- the view predates the contributors column
WHERE v.id = $1 AND v.status IN ('published', 'withdrawn')
