SELECT * FROM searchable_documents WHERE id = ANY($1::uuid[])
