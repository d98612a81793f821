-- Intended audience (ScoLOMFR 5.5, voc-011 "public cible") becomes a search filter and facet,
-- and language codes are stored in one form (ISO 639-2/B, as ScoLOMFR writes them).

-- Before voc-011 was shipped, every audience was kept as an unknown concept: move its four
-- concepts back to the field, and languages given in ISO 639-2/T to their /B code.
WITH audience (uri) AS (
    VALUES ('http://data.education.fr/voc/scolomfr/concept/author_2'),
           ('http://data.education.fr/voc/scolomfr/concept/learner'),
           ('http://data.education.fr/voc/scolomfr/concept/manager'),
           ('http://data.education.fr/voc/scolomfr/concept/teacher')
),
fixed AS (
    UPDATE resources r SET
        audiences = ARRAY(
            SELECT DISTINCT u FROM unnest(r.audiences || ARRAY(
                SELECT c FROM unnest(r.unknown_concepts) c WHERE c IN (SELECT uri FROM audience)
            )) u),
        unknown_concepts = ARRAY(
            SELECT c FROM unnest(r.unknown_concepts) c WHERE c NOT IN (SELECT uri FROM audience)),
        languages = array_replace(array_replace(r.languages, 'deu', 'ger'), 'nld', 'dut'),
        updated_at = now()
    WHERE r.unknown_concepts && ARRAY(SELECT uri FROM audience)
       OR r.languages && '{deu,nld}'::text[]
    RETURNING r.id
)
INSERT INTO search_outbox (resource_id) SELECT id FROM fixed;

-- The PostgreSQL search index: audiences as the id of their value set, like the other
-- vocabulary fields (see 0012). Documents indexed before hold no audience until re-indexed;
-- the default is the empty set's id.
INSERT INTO search_value_sets (id, vals) VALUES (md5('')::uuid, '{}') ON CONFLICT (id) DO NOTHING;
ALTER TABLE search_documents ADD COLUMN audiences_set uuid NOT NULL DEFAULT md5('')::uuid;

CREATE OR REPLACE VIEW searchable_documents AS
SELECT v.id, v.title, v.description, v.keywords, v.publisher_id, v.publisher_name,
       v.thumbnail_url, v.levels, v.disciplines, v.resource_types, v.pedagogical_types,
       v.accessibility, v.languages, v.published_at,
       coalesce(o.licence_types, '{}') AS licence_types,
       coalesce(o.min_price, 0) AS min_price_cents,
       v.audiences
FROM visible_resources v
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT licence_type) AS licence_types, min(unit_price_cents) AS min_price
    FROM offers WHERE resource_id = v.id AND status = 'published'
) o ON true
WHERE v.status = 'published';
