SELECT * FROM imports WHERE publisher_id = $1 ORDER BY started_at DESC LIMIT $2
