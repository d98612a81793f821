-- A list's resources in their order; those no longer published (withdrawn, hidden) only when
-- $2 (the owner reads it).
SELECT i.resource_id, r.title, p.name AS publisher_name, r.connector = 'commun' AS commun,
       i.position, i.added_at,
       EXISTS (SELECT 1 FROM visible_resources v
               WHERE v.id = i.resource_id AND v.status = 'published') AS available
FROM collection_items i
JOIN resources r ON r.id = i.resource_id
JOIN publishers p ON p.id = r.publisher_id
WHERE i.collection_id = $1
  AND ($2 OR EXISTS (SELECT 1 FROM visible_resources v
                     WHERE v.id = i.resource_id AND v.status = 'published'))
ORDER BY i.position, i.added_at
