-- Communs numériques: resources teachers publish under an open licence. Each is a resource of
-- the platform's own publisher "Communs numériques" (connector 'commun'), so that search,
-- OAI-PMH and the ScoLOMFR export carry it like any other; this table holds what only a
-- commun has. Its state drives the resource's status: pending (awaiting an académie
-- administrator's review) is a draft, visible is published, hidden is withdrawn.
INSERT INTO publishers (id, name, status)
VALUES ('00000000-0000-4000-8000-00000000c033', 'Communs numériques', 'approved')
ON CONFLICT DO NOTHING;

CREATE TABLE communs (
    resource_id       uuid PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    author_id         uuid NOT NULL REFERENCES people (id),
    -- The establishment and académie at publication: authorship when the name is not shown,
    -- and the académie whose administrators review it.
    establishment_uai text REFERENCES establishments (uai),
    academie          text,
    show_name         boolean NOT NULL,
    licence           text NOT NULL
                      CHECK (licence IN ('CC-BY-4.0', 'CC-BY-SA-4.0', 'CC0-1.0', 'etalab-2.0')),
    based_on          uuid REFERENCES communs (resource_id) ON DELETE SET NULL,
    -- The credit chain of an adaptation: every work it stems from, nearest first
    -- ({resource_id, title, authors, licence}), kept even when an original is deleted.
    credits           jsonb NOT NULL DEFAULT '[]',
    state             text NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'visible', 'hidden')),
    version           integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX communs_author ON communs (author_id);
CREATE INDEX communs_pending ON communs (academie) WHERE state = 'pending';
CREATE INDEX communs_based_on ON communs (based_on);

-- Every version as it was published: an edit adds one, earlier ones stay readable.
CREATE TABLE commun_versions (
    resource_id uuid NOT NULL REFERENCES communs (resource_id) ON DELETE CASCADE,
    version     integer NOT NULL,
    content     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (resource_id, version)
);

-- The search index tells communs apart (the `commun` filter and facet).
ALTER TABLE search_documents ADD COLUMN commun boolean NOT NULL DEFAULT false;

CREATE OR REPLACE VIEW searchable_documents AS
SELECT v.id, v.title, v.description, v.keywords, v.publisher_id, v.publisher_name,
       v.thumbnail_url, v.levels, v.disciplines, v.resource_types, v.pedagogical_types,
       v.accessibility, v.languages, v.published_at,
       coalesce(o.licence_types, '{}') AS licence_types,
       coalesce(o.min_price, 0) AS min_price_cents,
       v.audiences,
       v.connector = 'commun' AS commun
FROM visible_resources v
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT licence_type) AS licence_types, min(unit_price_cents) AS min_price
    FROM offers WHERE resource_id = v.id AND status = 'published'
) o ON true
WHERE v.status = 'published';

-- Reports by anyone signed in; they queue for an administrator's review.
CREATE TABLE commun_reports (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    resource_id uuid NOT NULL REFERENCES communs (resource_id) ON DELETE CASCADE,
    reporter_id uuid NOT NULL REFERENCES people (id),
    reason      text NOT NULL CHECK (reason IN ('illegal', 'copyright', 'personal_data',
                                                'inappropriate', 'error', 'other')),
    text        text NOT NULL DEFAULT '' CHECK (length(text) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz
);
CREATE INDEX commun_reports_open ON commun_reports (resource_id) WHERE closed_at IS NULL;
CREATE INDEX commun_reports_reporter ON commun_reports (reporter_id, created_at);

-- The log of moderation decisions. It outlives a deleted commun (no foreign key to it): the
-- author still reads the decision on "mes publications".
CREATE TABLE commun_decisions (
    id          bigserial PRIMARY KEY,
    resource_id uuid NOT NULL,
    author_id   uuid NOT NULL REFERENCES people (id),
    title       text NOT NULL,
    decided_by  uuid NOT NULL REFERENCES people (id),
    action      text NOT NULL CHECK (action IN ('approve', 'hide', 'restore', 'delete')),
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX commun_decisions_resource ON commun_decisions (resource_id, id);
CREATE INDEX commun_decisions_author ON commun_decisions (author_id, id);

-- A commun's files, in the file storage (local directory or S3-compatible) under
-- `storage_key`; their type told from their content at upload.
CREATE TABLE commun_files (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    resource_id uuid NOT NULL REFERENCES communs (resource_id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    media_type  text NOT NULL,
    size        bigint NOT NULL CHECK (size > 0),
    sha256      text NOT NULL,
    storage_key text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (resource_id, name)
);
