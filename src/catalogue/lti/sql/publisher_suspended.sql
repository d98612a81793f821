SELECT status = 'suspended' FROM publishers WHERE id = $1
