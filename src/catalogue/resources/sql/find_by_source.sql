SELECT id FROM resources WHERE publisher_id = $1 AND connector = $2 AND source_key = $3
