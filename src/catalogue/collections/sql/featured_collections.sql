-- The public lists featured by an establishment ($1) or an académie ($2), latest first.
SELECT c.id, c.title, c.description, c.visibility,
       (SELECT count(*) FROM collection_items i
        JOIN visible_resources v ON v.id = i.resource_id AND v.status = 'published'
        WHERE i.collection_id = c.id) AS items,
       (SELECT count(*) FROM collection_follows f WHERE f.collection_id = c.id) AS followers,
       c.updated_at
FROM collection_features x
JOIN collections c ON c.id = x.collection_id AND c.visibility = 'public'
WHERE x.establishment_uai IS NOT DISTINCT FROM $1 AND x.academie IS NOT DISTINCT FROM $2
ORDER BY x.featured_at DESC
LIMIT $3
