-- Machine clients of the platform itself (an ENT, an identity provider), created by a national
-- administrator: they belong to no publisher. Clients of one platform share its platform_id,
-- which the teachers' pseudonyms for that platform are derived from.
ALTER TABLE api_clients
    ALTER COLUMN publisher_id DROP NOT NULL,
    ADD COLUMN platform_id uuid,
    ADD CONSTRAINT api_clients_one_owner CHECK ((publisher_id IS NULL) <> (platform_id IS NULL));
CREATE INDEX api_clients_platform ON api_clients (platform_id) WHERE platform_id IS NOT NULL;

-- People provisioned by SCIM exist before their first sign-in: no issuer and subject yet,
-- a userName and the provisioning client's externalId. The first sign-in links them
-- (issuer and subject, or the configured matching claim): never a second person.
ALTER TABLE people
    ALTER COLUMN issuer DROP NOT NULL,
    ALTER COLUMN subject DROP NOT NULL,
    ADD COLUMN IF NOT EXISTS deactivated_at timestamptz,
    ADD COLUMN external_id  text,
    ADD COLUMN user_name    text,
    ADD COLUMN given_name   text,
    ADD COLUMN family_name  text,
    ADD COLUMN name_formatted text,
    -- SCIM's `active` as the client last stated it (null: never stated, which is active).
    ADD COLUMN scim_active  boolean,
    -- The SCIM version (ETag): every provisioning write adds one.
    ADD COLUMN scim_version integer NOT NULL DEFAULT 1,
    ADD COLUMN scim_updated_at timestamptz NOT NULL DEFAULT now(),
    -- DELETE through SCIM: deactivated and out of the directory's view, kept for the ledger.
    ADD COLUMN scim_removed_at timestamptz,
    ADD CONSTRAINT people_issuer_and_subject CHECK ((issuer IS NULL) = (subject IS NULL)),
    ADD CONSTRAINT people_signed_in_or_provisioned
        CHECK (issuer IS NOT NULL OR user_name IS NOT NULL);
-- Unique among the people in the SCIM view: a userName or an externalId of a removed person
-- may be given again.
CREATE UNIQUE INDEX people_user_name ON people (lower(user_name)) WHERE scim_removed_at IS NULL;
CREATE UNIQUE INDEX people_external_id ON people (external_id) WHERE scim_removed_at IS NULL;
CREATE INDEX people_email ON people (lower(email));

-- Establishments as SCIM Groups: the ones a platform provisioned (null scim_created_at: not
-- in the SCIM view, e.g. only known from the national dataset or a sign-in).
ALTER TABLE establishments
    -- The Group's id: it stays when a platform changes the Group's UAI (the Group, and its
    -- members, then stand for another establishment).
    ADD COLUMN scim_id           uuid UNIQUE,
    ADD COLUMN scim_external_id  text UNIQUE,
    ADD COLUMN scim_display_name text,
    ADD COLUMN scim_version      integer NOT NULL DEFAULT 1,
    ADD COLUMN scim_created_at   timestamptz,
    ADD COLUMN scim_updated_at   timestamptz;
