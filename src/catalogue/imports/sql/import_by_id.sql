SELECT * FROM imports WHERE id = $1 AND publisher_id = $2
