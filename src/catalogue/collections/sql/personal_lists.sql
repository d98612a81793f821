-- A person's lists, for their download: whether a link shares it, never the link's token.
SELECT id, title, description, visibility, share_token IS NOT NULL AS link_active,
       created_at, updated_at
FROM collections WHERE owner_id = $1
ORDER BY created_at, id
