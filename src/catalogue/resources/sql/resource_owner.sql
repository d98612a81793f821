SELECT publisher_id FROM resources WHERE id = $1
