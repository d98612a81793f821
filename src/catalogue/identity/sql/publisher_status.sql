SELECT status FROM publishers WHERE id = $1
