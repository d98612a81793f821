-- Weights: title A, keywords and concept labels B, description C.
INSERT INTO search_documents AS d (
    id, title, description, publisher_id, publisher_name, thumbnail_url, levels, disciplines,
    resource_types, pedagogical_types, levels_tagged, disciplines_tagged, licence_types,
    accessibility, languages, min_price_cents, free, published_at, tsv)
SELECT id, title, description, publisher_id, publisher_name, thumbnail_url, levels, disciplines,
       resource_types, pedagogical_types, levels_tagged, disciplines_tagged, licence_types,
       accessibility, languages, min_price_cents, free, published_at,
       setweight(to_tsvector('catalogue_fr', title_words), 'A')
       || setweight(to_tsvector('catalogue_fr', subject_words), 'B')
       || setweight(to_tsvector('catalogue_fr', description_words), 'C')
FROM staging_documents
ON CONFLICT (id) DO UPDATE SET
    title = EXCLUDED.title, description = EXCLUDED.description,
    publisher_id = EXCLUDED.publisher_id, publisher_name = EXCLUDED.publisher_name,
    thumbnail_url = EXCLUDED.thumbnail_url, levels = EXCLUDED.levels,
    disciplines = EXCLUDED.disciplines, resource_types = EXCLUDED.resource_types,
    pedagogical_types = EXCLUDED.pedagogical_types, levels_tagged = EXCLUDED.levels_tagged,
    disciplines_tagged = EXCLUDED.disciplines_tagged, licence_types = EXCLUDED.licence_types,
    accessibility = EXCLUDED.accessibility, languages = EXCLUDED.languages,
    min_price_cents = EXCLUDED.min_price_cents, free = EXCLUDED.free,
    published_at = EXCLUDED.published_at, tsv = EXCLUDED.tsv
