-- A page of searchable resources in id order, for rebuilding the index (keyset pagination).
SELECT * FROM searchable_documents WHERE id > $1 ORDER BY id LIMIT $2
