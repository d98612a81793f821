DELETE FROM search_documents WHERE id = ANY($1::uuid[])
