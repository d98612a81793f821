SELECT kid, private_sealed
FROM signing_keys
WHERE retired_at IS NULL
ORDER BY created_at DESC
LIMIT 1
