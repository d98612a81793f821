-- Public lists matching $1 in French (every public list when $1 is empty), best first.
SELECT c.id, c.title, c.description, c.visibility,
       (SELECT count(*) FROM collection_items i
        JOIN visible_resources v ON v.id = i.resource_id AND v.status = 'published'
        WHERE i.collection_id = c.id) AS items,
       (SELECT count(*) FROM collection_follows f WHERE f.collection_id = c.id) AS followers,
       c.updated_at
FROM collections c
WHERE c.visibility = 'public'
  AND ($1 = '' OR c.search @@ websearch_to_tsquery('catalogue_fr', $1))
ORDER BY CASE WHEN $1 = '' THEN 0
              ELSE ts_rank(c.search, websearch_to_tsquery('catalogue_fr', $1)) END DESC,
         c.updated_at DESC, c.id
LIMIT $2 OFFSET $3
