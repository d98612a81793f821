-- The search index in two tables: a narrow one that searches scan (text vector, prices,
-- dates, and each vocabulary field as the id of its set of values), and the display fields,
-- read for the page's rows only. A broad query reads thousands of rows: narrow rows keep the
-- scanned table in memory, and counting facets on one uuid per field costs much less than
-- unnesting every document's concept URIs.

-- The distinct value lists of the vocabulary fields ("6e, collège, cycle 3"), each known by
-- the md5 of its values joined by U+001F (pg.py value_set_id computes the same): documents
-- name theirs without a lookup, and the few thousand sets are unnested once per query
-- instead of once per matching document. Never pruned: a list no document uses any more
-- costs a row.
CREATE TABLE search_value_sets (
    id   uuid PRIMARY KEY,
    vals text[] NOT NULL
);
CREATE INDEX search_value_sets_vals ON search_value_sets USING gin (vals);

CREATE TABLE search_display (
    id                 uuid PRIMARY KEY,
    title              text NOT NULL,
    description        text NOT NULL,
    publisher_name     text NOT NULL,
    thumbnail_url      text,
    levels_tagged      text[] NOT NULL,
    disciplines_tagged text[] NOT NULL
);

CREATE TABLE search_narrow (
    id                    uuid PRIMARY KEY,
    publisher_id          uuid NOT NULL,
    levels_set            uuid NOT NULL,
    disciplines_set       uuid NOT NULL,
    resource_types_set    uuid NOT NULL,
    pedagogical_types_set uuid NOT NULL,
    licence_types_set     uuid NOT NULL,
    accessibility_set     uuid NOT NULL,
    languages_set         uuid NOT NULL,
    published_at          timestamptz NOT NULL,
    min_price_cents       bigint NOT NULL,
    free                  boolean NOT NULL,
    tsv                   tsvector NOT NULL
);

-- What is already indexed moves over, so the index needs no rebuild after this migration.
INSERT INTO search_value_sets (id, vals)
SELECT DISTINCT ON (1) md5(array_to_string(v, chr(31)))::uuid, v
FROM search_documents,
     LATERAL (VALUES (levels), (disciplines), (resource_types), (pedagogical_types),
                     (licence_types), (accessibility), (languages)) AS x (v);

INSERT INTO search_display
SELECT id, title, description, publisher_name, thumbnail_url, levels_tagged, disciplines_tagged
FROM search_documents;

INSERT INTO search_narrow
SELECT id, publisher_id,
       md5(array_to_string(levels, chr(31)))::uuid,
       md5(array_to_string(disciplines, chr(31)))::uuid,
       md5(array_to_string(resource_types, chr(31)))::uuid,
       md5(array_to_string(pedagogical_types, chr(31)))::uuid,
       md5(array_to_string(licence_types, chr(31)))::uuid,
       md5(array_to_string(accessibility, chr(31)))::uuid,
       md5(array_to_string(languages, chr(31)))::uuid,
       published_at, min_price_cents, free, tsv
FROM search_documents
ORDER BY 4, 3;  -- by discipline set, then level set: see search/sql/rebuild_index.sql

DROP TABLE search_documents;
ALTER TABLE search_narrow RENAME TO search_documents;
ALTER INDEX search_narrow_pkey RENAME TO search_documents_pkey;
CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv);
CREATE INDEX search_documents_levels ON search_documents (levels_set);
CREATE INDEX search_documents_disciplines ON search_documents (disciplines_set);
CREATE INDEX search_documents_types ON search_documents (resource_types_set);
CREATE INDEX search_documents_price ON search_documents (min_price_cents);
CREATE INDEX search_documents_date ON search_documents (published_at);
CREATE INDEX search_documents_publisher ON search_documents (publisher_id);
