SELECT id, owner_id, title, description, visibility, share_token, created_at, updated_at
FROM collections WHERE id = $1
