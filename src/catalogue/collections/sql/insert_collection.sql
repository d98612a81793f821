INSERT INTO collections (owner_id, title, description, visibility, share_token)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, owner_id, title, description, visibility, share_token, created_at, updated_at
