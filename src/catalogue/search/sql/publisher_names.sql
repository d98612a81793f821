SELECT id::text, name FROM publishers WHERE id = ANY($1::uuid[])
