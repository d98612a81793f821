SELECT count(*) FROM collections c
WHERE c.visibility = 'public'
  AND ($1 = '' OR c.search @@ websearch_to_tsquery('catalogue_fr', $1))
