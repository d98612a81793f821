-- The communs a person authored, in their current version, for their download.
SELECT c.resource_id, v.content ->> 'title' AS title, c.licence, c.show_name, c.state,
       c.created_at, c.updated_at,
       (SELECT count(*) FROM commun_versions w WHERE w.resource_id = c.resource_id)::int
           AS versions,
       c.based_on
FROM communs c
JOIN commun_versions v ON v.resource_id = c.resource_id AND v.version = c.version
WHERE c.author_id = $1
ORDER BY c.created_at, c.resource_id
