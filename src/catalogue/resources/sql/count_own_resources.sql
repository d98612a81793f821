SELECT count(*) FROM resources WHERE publisher_id = $1
