INSERT INTO publishers (name, status)
SELECT unnest($1::text[]), 'approved'
ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
RETURNING id, name
