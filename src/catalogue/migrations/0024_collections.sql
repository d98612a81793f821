-- Collections: lists of published resources (communs or publishers' offerings) that anyone
-- signed in makes. Private (only its owner), shared by link (whoever holds the link's
-- unguessable token, until the owner revokes it) or public (searchable, followed, featured).
CREATE TABLE collections (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id    uuid NOT NULL REFERENCES people (id),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    visibility  text NOT NULL DEFAULT 'private'
                CHECK (visibility IN ('private', 'shared', 'public')),
    -- The link's token: only a shared list has one; revoking gives it a new one.
    share_token text UNIQUE,
    -- Public lists are searched in French (the catalogue's text configuration).
    search      tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('catalogue_fr'::regconfig, title), 'A')
                    || setweight(to_tsvector('catalogue_fr'::regconfig, description), 'B')
                ) STORED,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((visibility = 'shared') = (share_token IS NOT NULL))
);
CREATE INDEX collections_owner ON collections (owner_id, updated_at DESC);
CREATE INDEX collections_public_search ON collections USING gin (search)
    WHERE visibility = 'public';
CREATE INDEX collections_public_recent ON collections (updated_at DESC)
    WHERE visibility = 'public';

-- A list's resources, in their order. A resource deleted (a commun an administrator
-- deletes) leaves every list it was in.
CREATE TABLE collection_items (
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    resource_id   uuid NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, resource_id)
);
CREATE INDEX collection_items_resource ON collection_items (resource_id);

-- Who follows which public list ("listes suivies").
CREATE TABLE collection_follows (
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    person_id     uuid NOT NULL REFERENCES people (id),
    followed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, person_id)
);
CREATE INDEX collection_follows_person ON collection_follows (person_id, followed_at DESC);

-- Public lists an establishment's or an académie's administrator features on its page.
CREATE TABLE collection_features (
    collection_id     uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    establishment_uai text REFERENCES establishments (uai),
    academie          text,
    featured_by       uuid NOT NULL REFERENCES people (id),
    featured_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((establishment_uai IS NULL) <> (academie IS NULL))
);
CREATE UNIQUE INDEX collection_features_establishment
    ON collection_features (establishment_uai, collection_id) WHERE establishment_uai IS NOT NULL;
CREATE UNIQUE INDEX collection_features_academie
    ON collection_features (academie, collection_id) WHERE academie IS NOT NULL;
CREATE INDEX collection_features_collection ON collection_features (collection_id);
