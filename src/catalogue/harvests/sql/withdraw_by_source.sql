UPDATE resources SET status = 'withdrawn', updated_at = now(), content_hash = NULL
WHERE publisher_id = $1 AND connector = $2 AND source_id = $3 AND status <> 'withdrawn'
RETURNING id
