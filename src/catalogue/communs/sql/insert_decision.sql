INSERT INTO commun_decisions (resource_id, author_id, title, decided_by, action, reason)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, resource_id, action, reason, created_at
