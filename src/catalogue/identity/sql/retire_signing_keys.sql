-- A retired key stays published (its public half) but never signs again.
UPDATE signing_keys
SET retired_at = now(), private_sealed = NULL, private_jwk = NULL
WHERE retired_at IS NULL
