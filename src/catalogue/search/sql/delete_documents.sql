WITH gone AS (DELETE FROM search_display WHERE id = ANY($1::uuid[]))
DELETE FROM search_documents WHERE id = ANY($1::uuid[])
