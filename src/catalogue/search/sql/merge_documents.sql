-- Weights: title A, keywords and concept labels B, description C. Vocabulary fields come as
-- the ids of their value sets (pg.py stores the sets first).
WITH display AS (
    INSERT INTO search_display AS d (
        id, title, description, publisher_name, thumbnail_url, levels_tagged, disciplines_tagged)
    SELECT id, title, description, publisher_name, thumbnail_url, levels_tagged,
           disciplines_tagged
    FROM staging_documents
    ON CONFLICT (id) DO UPDATE SET
        title = EXCLUDED.title, description = EXCLUDED.description,
        publisher_name = EXCLUDED.publisher_name, thumbnail_url = EXCLUDED.thumbnail_url,
        levels_tagged = EXCLUDED.levels_tagged, disciplines_tagged = EXCLUDED.disciplines_tagged
)
INSERT INTO search_documents AS d (
    id, publisher_id, levels_set, disciplines_set, resource_types_set, pedagogical_types_set,
    licence_types_set, accessibility_set, languages_set, audiences_set, published_at,
    min_price_cents, free, commun, tsv)
SELECT id, publisher_id, levels_set, disciplines_set, resource_types_set, pedagogical_types_set,
       licence_types_set, accessibility_set, languages_set, audiences_set, published_at,
       min_price_cents, free, commun,
       setweight(to_tsvector('catalogue_fr', title_words), 'A')
       || setweight(to_tsvector('catalogue_fr', subject_words), 'B')
       || setweight(to_tsvector('catalogue_fr', description_words), 'C')
FROM staging_documents
ON CONFLICT (id) DO UPDATE SET
    publisher_id = EXCLUDED.publisher_id, levels_set = EXCLUDED.levels_set,
    disciplines_set = EXCLUDED.disciplines_set, resource_types_set = EXCLUDED.resource_types_set,
    pedagogical_types_set = EXCLUDED.pedagogical_types_set,
    licence_types_set = EXCLUDED.licence_types_set,
    accessibility_set = EXCLUDED.accessibility_set, languages_set = EXCLUDED.languages_set,
    audiences_set = EXCLUDED.audiences_set,
    published_at = EXCLUDED.published_at, min_price_cents = EXCLUDED.min_price_cents,
    free = EXCLUDED.free, commun = EXCLUDED.commun, tsv = EXCLUDED.tsv
