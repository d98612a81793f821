-- Weights: title A, keywords and concept labels B, description C. A vocabulary field is
-- stored as the id of its value set (md5 of its text form, see migration 0008).
WITH staged AS MATERIALIZED (
    SELECT s.*,
           md5(levels::text)::uuid AS levels_set,
           md5(disciplines::text)::uuid AS disciplines_set,
           md5(resource_types::text)::uuid AS resource_types_set,
           md5(pedagogical_types::text)::uuid AS pedagogical_types_set,
           md5(licence_types::text)::uuid AS licence_types_set,
           md5(accessibility::text)::uuid AS accessibility_set,
           md5(languages::text)::uuid AS languages_set
    FROM staging_documents s
),
new_sets AS (
    INSERT INTO search_value_sets (id, vals)
    SELECT DISTINCT ON (x.id) x.id, x.vals
    FROM staged,
         LATERAL (VALUES (levels_set, levels), (disciplines_set, disciplines),
                         (resource_types_set, resource_types),
                         (pedagogical_types_set, pedagogical_types),
                         (licence_types_set, licence_types), (accessibility_set, accessibility),
                         (languages_set, languages)) AS x (id, vals)
    ON CONFLICT (id) DO NOTHING
),
display AS (
    INSERT INTO search_display AS d (
        id, title, description, publisher_name, thumbnail_url, levels_tagged, disciplines_tagged)
    SELECT id, title, description, publisher_name, thumbnail_url, levels_tagged,
           disciplines_tagged
    FROM staged
    ON CONFLICT (id) DO UPDATE SET
        title = EXCLUDED.title, description = EXCLUDED.description,
        publisher_name = EXCLUDED.publisher_name, thumbnail_url = EXCLUDED.thumbnail_url,
        levels_tagged = EXCLUDED.levels_tagged, disciplines_tagged = EXCLUDED.disciplines_tagged
)
INSERT INTO search_documents AS d (
    id, publisher_id, levels_set, disciplines_set, resource_types_set, pedagogical_types_set,
    licence_types_set, accessibility_set, languages_set, published_at, min_price_cents, free, tsv)
SELECT id, publisher_id, levels_set, disciplines_set, resource_types_set, pedagogical_types_set,
       licence_types_set, accessibility_set, languages_set, published_at, min_price_cents, free,
       setweight(to_tsvector('catalogue_fr', title_words), 'A')
       || setweight(to_tsvector('catalogue_fr', subject_words), 'B')
       || setweight(to_tsvector('catalogue_fr', description_words), 'C')
FROM staged
ON CONFLICT (id) DO UPDATE SET
    publisher_id = EXCLUDED.publisher_id, levels_set = EXCLUDED.levels_set,
    disciplines_set = EXCLUDED.disciplines_set, resource_types_set = EXCLUDED.resource_types_set,
    pedagogical_types_set = EXCLUDED.pedagogical_types_set,
    licence_types_set = EXCLUDED.licence_types_set,
    accessibility_set = EXCLUDED.accessibility_set, languages_set = EXCLUDED.languages_set,
    published_at = EXCLUDED.published_at, min_price_cents = EXCLUDED.min_price_cents,
    free = EXCLUDED.free, tsv = EXCLUDED.tsv
