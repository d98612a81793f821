SELECT private_jwk
FROM signing_keys
ORDER BY created_at DESC
