SELECT r.id, r.title, p.name AS publisher_name
FROM resources r
JOIN publishers p ON p.id = r.publisher_id
WHERE p.status = 'pending' AND r.status = 'published' AND r.approved_at IS NULL
ORDER BY r.updated_at DESC, r.id
LIMIT $1
