UPDATE resources SET approved_at = now() WHERE id = $1 RETURNING id, title, status
