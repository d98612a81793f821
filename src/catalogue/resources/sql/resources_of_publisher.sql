SELECT id FROM resources WHERE publisher_id = $1
