-- The public lists a person follows ("listes suivies"), the latest followed first.
SELECT c.id, c.title, c.description, c.visibility,
       (SELECT count(*) FROM collection_items i
        JOIN visible_resources v ON v.id = i.resource_id AND v.status = 'published'
        WHERE i.collection_id = c.id) AS items,
       (SELECT count(*) FROM collection_follows f WHERE f.collection_id = c.id) AS followers,
       c.updated_at
FROM collection_follows f
JOIN collections c ON c.id = f.collection_id AND c.visibility = 'public'
WHERE f.person_id = $1
ORDER BY f.followed_at DESC
LIMIT $2
