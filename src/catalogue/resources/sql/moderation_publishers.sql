SELECT id, name, status
FROM publishers
ORDER BY (status = 'pending') DESC, name, id
LIMIT $1
