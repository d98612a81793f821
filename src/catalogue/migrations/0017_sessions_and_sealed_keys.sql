-- Browser sessions kept on the server, so that signing out (here or everywhere) ends them at
-- once. The cookie carries a random session id; only its SHA-256 is stored here.
CREATE TABLE sessions (
    id_hash    bytea PRIMARY KEY,
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz
);
CREATE INDEX sessions_of_person ON sessions (person_id) WHERE ended_at IS NULL;

-- Private signing keys are kept encrypted (AES-GCM, a key derived from CATALOGUE_SECRET_KEY,
-- the kid bound in); their public half is kept apart, in clear, for the JWKS. A key still in
-- clear is encrypted by the first process that starts with this migration applied.
ALTER TABLE signing_keys
    ADD COLUMN public_jwk jsonb,
    ADD COLUMN private_sealed bytea,
    ALTER COLUMN private_jwk DROP NOT NULL;
UPDATE signing_keys SET public_jwk = private_jwk - ARRAY['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
-- A retired key never signs again: its private half is no longer needed.
UPDATE signing_keys SET private_jwk = NULL WHERE retired_at IS NOT NULL;
ALTER TABLE signing_keys ALTER COLUMN public_jwk SET NOT NULL;
