SELECT c.resource_id AS id, c.author_id, c.establishment_uai, c.academie, c.show_name,
       c.licence, c.based_on, c.credits, c.state, c.version, c.created_at, c.updated_at,
       v.content
FROM communs c
JOIN commun_versions v ON v.resource_id = c.resource_id AND v.version = c.version
WHERE c.resource_id = $1
