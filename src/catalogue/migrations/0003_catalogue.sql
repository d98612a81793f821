-- The catalogue: ScoLOMFR vocabularies, resources, offers, and the outbox feeding the index.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- French full text: stemming after unaccent, so "géométrie" and "geometrie" meet.
CREATE TEXT SEARCH CONFIGURATION catalogue_fr (COPY = french);
ALTER TEXT SEARCH CONFIGURATION catalogue_fr
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;

-- ScoLOMFR concepts, loaded from the SKOS files shipped in schemas/vocabularies.
-- `ancestors` holds the concept itself and every broader concept whose filter includes it
-- (a resource tagged "6e" matches a filter on "collège" and on "cycle 3").
CREATE TABLE vocabulary_concepts (
    uri         text PRIMARY KEY,
    scheme      text NOT NULL,
    label       text NOT NULL,
    alt_labels  text[] NOT NULL DEFAULT '{}',
    broader     text[] NOT NULL DEFAULT '{}',
    ancestors   text[] NOT NULL DEFAULT '{}',
    replaced_by text,
    deprecated  boolean NOT NULL DEFAULT false
);
CREATE INDEX vocabulary_concepts_scheme ON vocabulary_concepts (scheme);

CREATE TABLE vocabulary_sources (
    source    text PRIMARY KEY,
    checksum  text NOT NULL,
    concepts  integer NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE resources (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    publisher_id      uuid NOT NULL REFERENCES publishers (id),
    status            text NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'published', 'withdrawn')),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    description       text NOT NULL DEFAULT '',
    keywords          text[] NOT NULL DEFAULT '{}',
    languages         text[] NOT NULL DEFAULT '{}',
    resource_types    text[] NOT NULL DEFAULT '{}',
    pedagogical_types text[] NOT NULL DEFAULT '{}',
    audiences         text[] NOT NULL DEFAULT '{}',
    levels            text[] NOT NULL DEFAULT '{}',
    disciplines       text[] NOT NULL DEFAULT '{}',
    accessibility     text[] NOT NULL DEFAULT '{}',
    formats           text[] NOT NULL DEFAULT '{}',
    rights            text,
    thumbnail_url     text,
    access_url        text,
    unknown_concepts  text[] NOT NULL DEFAULT '{}',
    connector         text NOT NULL DEFAULT 'api',
    source_id         text,
    harvested_at      timestamptz,
    content_hash      text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    published_at      timestamptz
);
CREATE INDEX resources_publisher ON resources (publisher_id, status);
CREATE UNIQUE INDEX resources_source ON resources (publisher_id, connector, source_id)
    WHERE source_id IS NOT NULL;

-- The same resource arriving twice (API and harvest) is one: identifiers are unique per publisher.
CREATE TABLE resource_identifiers (
    resource_id  uuid NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    publisher_id uuid NOT NULL REFERENCES publishers (id),
    kind         text NOT NULL CHECK (kind IN ('ark', 'isbn', 'url')),
    value        text NOT NULL,
    PRIMARY KEY (publisher_id, kind, value)
);
CREATE INDEX resource_identifiers_resource ON resource_identifiers (resource_id);

CREATE TABLE offers (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    resource_id      uuid NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    licence_type     text NOT NULL CHECK (licence_type IN ('teacher', 'class_seats', 'establishment')),
    unit_price_cents bigint NOT NULL CHECK (unit_price_cents BETWEEN 0 AND 100000000),
    duration         text NOT NULL CHECK (duration IN ('school_year', 'months', 'perpetual')),
    duration_months  integer CHECK (duration_months BETWEEN 1 AND 120),
    seats            integer CHECK (seats BETWEEN 1 AND 100000),
    status           text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'withdrawn')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((duration = 'months') = (duration_months IS NOT NULL)),
    CHECK ((licence_type = 'class_seats') = (seats IS NOT NULL))
);
CREATE INDEX offers_resource ON offers (resource_id);

-- Transactional outbox: written in the same transaction as the change it announces.
CREATE TABLE search_outbox (
    id          bigserial PRIMARY KEY,
    resource_id uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The PostgreSQL search backend's index: one row per searchable (published) resource.
CREATE TABLE search_documents (
    id                uuid PRIMARY KEY,
    title             text NOT NULL,
    description       text NOT NULL,
    publisher_id      uuid NOT NULL,
    publisher_name    text NOT NULL,
    thumbnail_url     text,
    levels            text[] NOT NULL,
    disciplines       text[] NOT NULL,
    resource_types    text[] NOT NULL,
    pedagogical_types text[] NOT NULL,
    levels_tagged     text[] NOT NULL,
    disciplines_tagged text[] NOT NULL,
    licence_types     text[] NOT NULL,
    accessibility     text[] NOT NULL,
    languages         text[] NOT NULL,
    min_price_cents   bigint NOT NULL,
    free              boolean NOT NULL,
    published_at      timestamptz NOT NULL,
    tsv               tsvector NOT NULL
);
CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv);
CREATE INDEX search_documents_levels ON search_documents USING gin (levels);
CREATE INDEX search_documents_disciplines ON search_documents USING gin (disciplines);
CREATE INDEX search_documents_types ON search_documents USING gin (resource_types);
CREATE INDEX search_documents_price ON search_documents (min_price_cents);
CREATE INDEX search_documents_date ON search_documents (published_at);
CREATE INDEX search_documents_publisher ON search_documents (publisher_id);

-- A query as groups of alternatives (synonyms, typo corrections): any alternative of a group,
-- every group. Built here so that no query text is ever spliced into tsquery syntax.
CREATE FUNCTION catalogue_tsquery(groups jsonb) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    result tsquery;
    grp jsonb;
    alt text;
    g tsquery;
    one tsquery;
    seen text[];
BEGIN
    FOR grp IN SELECT value FROM jsonb_array_elements(groups) LOOP
        g := NULL;
        seen := '{}';
        FOR alt IN SELECT value FROM jsonb_array_elements_text(grp) LOOP
            one := phraseto_tsquery('catalogue_fr', alt);
            -- Alternatives with one stem ("mathématique", "mathématiques") count once, or the
            -- planner doubles its estimate and scans the whole table.
            IF numnode(one) > 0 AND NOT one::text = ANY(seen) THEN
                seen := seen || one::text;
                g := CASE WHEN g IS NULL THEN one ELSE g || one END;
            END IF;
        END LOOP;
        IF g IS NOT NULL THEN
            result := CASE WHEN result IS NULL THEN g ELSE result && g END;
        END IF;
    END LOOP;
    RETURN result;
END
$$;

-- Words seen in indexed documents, for typo tolerance: a misspelt query word is replaced
-- by the nearest known words (pg_trgm).
CREATE TABLE search_words (word text PRIMARY KEY);
CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops);
