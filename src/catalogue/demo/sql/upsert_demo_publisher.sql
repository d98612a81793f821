INSERT INTO publishers (name, status)
VALUES ($1, 'approved')
ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
RETURNING id
