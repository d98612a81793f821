SELECT 1 FROM publishers WHERE id = $1
