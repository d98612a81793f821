SELECT r.id
FROM resources r
JOIN publishers p ON p.id = r.publisher_id
WHERE r.status = 'published' AND p.status = 'approved' AND r.id > $1
ORDER BY r.id
LIMIT $2
