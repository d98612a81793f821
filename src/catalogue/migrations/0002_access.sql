-- Establishments (UAI) and the académie they belong to: the scopes of administrators.
CREATE TABLE establishments (
    uai        text PRIMARY KEY CHECK (uai ~ '^[0-9]{7}[A-Z]$'),
    name       text NOT NULL,
    academie   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX establishments_academie ON establishments (academie);

-- Publishers; the catalogue issue adds their offerings. A new publisher waits for moderation.
CREATE TABLE publishers (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL UNIQUE,
    status     text NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'approved', 'suspended')),
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE people
    ADD COLUMN publisher_id uuid REFERENCES publishers (id),
    ADD CONSTRAINT people_establishment_fk
        FOREIGN KEY (establishment_uai) REFERENCES establishments (uai);
CREATE INDEX people_establishment ON people (establishment_uai);
CREATE INDEX people_academie ON people (academie);

-- Publisher machine clients (OAuth2 client credentials). The secret is shown once; only its
-- SHA-256 is kept (it is 256 random bits, so a slow password hash would add nothing).
CREATE TABLE api_clients (
    client_id    text PRIMARY KEY,
    publisher_id uuid NOT NULL REFERENCES publishers (id),
    name         text NOT NULL,
    secret_hash  bytea NOT NULL,
    scopes       text[] NOT NULL,
    created_by   uuid REFERENCES people (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    rotated_at   timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_clients_publisher ON api_clients (publisher_id);
