-- A list whose author was erased, kept for the pages that featured it, once none does.
DELETE FROM collections c
WHERE c.id = $1 AND c.owner_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM collection_features f WHERE f.collection_id = c.id)
RETURNING c.id
