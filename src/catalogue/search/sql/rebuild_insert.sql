-- As merge_documents, into the tables being rebuilt.
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
    INSERT INTO search_display_next (
        id, title, description, publisher_name, thumbnail_url, levels_tagged, disciplines_tagged)
    SELECT id, title, description, publisher_name, thumbnail_url, levels_tagged,
           disciplines_tagged
    FROM staged
)
INSERT INTO search_documents_next (
    id, publisher_id, levels_set, disciplines_set, resource_types_set, pedagogical_types_set,
    licence_types_set, accessibility_set, languages_set, published_at, min_price_cents, free, tsv)
SELECT id, publisher_id, levels_set, disciplines_set, resource_types_set, pedagogical_types_set,
       licence_types_set, accessibility_set, languages_set, published_at, min_price_cents, free,
       setweight(to_tsvector('catalogue_fr', title_words), 'A')
       || setweight(to_tsvector('catalogue_fr', subject_words), 'B')
       || setweight(to_tsvector('catalogue_fr', description_words), 'C')
FROM staged;
INSERT INTO search_words_next (word)
SELECT DISTINCT w
FROM staging_documents,
     regexp_split_to_table(lower(unaccent(title_words || ' ' || subject_words)), '[^[:alnum:]]+') w
WHERE length(w) >= 4;
DROP TABLE staging_documents;
