-- The searchable ones among resources ($1 ids), to index them.
SELECT * FROM searchable_documents WHERE id = ANY($1::uuid[])
