-- The signing key and those retired less than $1 seconds ago (their tokens may still be live),
-- with the seconds left before each retired one leaves the JWKS.
SELECT public_jwk,
       extract(epoch FROM retired_at + make_interval(secs => $1) - now())::float8
           AS unpublished_in_s
FROM signing_keys
WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
ORDER BY created_at DESC
