UPDATE resources SET status = 'withdrawn', updated_at = now(), content_hash = NULL
WHERE id = $1 AND publisher_id = $2
RETURNING id
