SELECT count(*) FROM resources WHERE connector = $1
