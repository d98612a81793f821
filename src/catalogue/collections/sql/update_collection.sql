UPDATE collections
SET title = $2, description = $3, visibility = $4, share_token = $5, updated_at = now()
WHERE id = $1
