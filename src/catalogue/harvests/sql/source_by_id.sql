SELECT * FROM harvest_sources WHERE id = $1
