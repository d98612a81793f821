INSERT INTO publishers (name) VALUES ($1)
RETURNING id, name, status, created_at
