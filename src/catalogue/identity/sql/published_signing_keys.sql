-- The signing key and those retired less than $1 seconds ago (their tokens may still be live).
SELECT private_jwk
FROM signing_keys
WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
ORDER BY created_at DESC
