-- People who sign in (teachers, administrators, publisher staff). Roles and scopes are
-- refreshed from the identity provider's claims at each sign-in.
CREATE TABLE people (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    issuer            text NOT NULL,
    subject           text NOT NULL,
    display_name      text NOT NULL DEFAULT '',
    email             text,
    roles             text[] NOT NULL DEFAULT '{}',
    establishment_uai text,
    academie          text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_seen_at      timestamptz,
    UNIQUE (issuer, subject),
    CHECK (roles <@ ARRAY['teacher', 'establishment_admin', 'academie_admin',
                          'national_admin', 'publisher']::text[]),
    CHECK (establishment_uai IS NULL OR establishment_uai ~ '^[0-9]{7}[A-Z]$')
);

-- The platform's own RSA keys: they sign demo and client-credentials tokens and LTI messages.
-- A retired key no longer signs but stays published until the tokens it signed expire.
CREATE TABLE signing_keys (
    kid         text PRIMARY KEY,
    private_jwk jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);
