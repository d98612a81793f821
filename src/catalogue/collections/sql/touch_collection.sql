UPDATE collections SET updated_at = now() WHERE id = $1
