UPDATE publishers SET status = $2 WHERE id = $1 RETURNING id, name, status
