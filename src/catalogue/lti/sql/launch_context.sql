-- What the id_token of a launch says: the resource or picked link, the establishment.
SELECT r.id AS resource_id, r.title, t.target_link_uri, t.custom, t.deployment_id,
       k.id AS link_id, k.title AS link_title, k.url AS link_url, k.custom AS link_custom,
       e.uai, e.name AS establishment_name
FROM resources r
JOIN lti_tools t ON t.id = $2
LEFT JOIN lti_links k ON k.id = $3
LEFT JOIN establishments e ON e.uai = $4
WHERE r.id = $1
