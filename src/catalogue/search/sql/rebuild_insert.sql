INSERT INTO search_documents_next (
    id, title, description, publisher_id, publisher_name, thumbnail_url, levels, disciplines,
    resource_types, pedagogical_types, levels_tagged, disciplines_tagged, licence_types,
    accessibility, languages, min_price_cents, free, published_at, tsv)
SELECT id, title, description, publisher_id, publisher_name, thumbnail_url, levels, disciplines,
       resource_types, pedagogical_types, levels_tagged, disciplines_tagged, licence_types,
       accessibility, languages, min_price_cents, free, published_at,
       setweight(to_tsvector('catalogue_fr', title_words), 'A')
       || setweight(to_tsvector('catalogue_fr', subject_words), 'B')
       || setweight(to_tsvector('catalogue_fr', description_words), 'C')
FROM staging_documents;
INSERT INTO search_words_next (word)
SELECT DISTINCT w
FROM staging_documents,
     regexp_split_to_table(lower(unaccent(title_words || ' ' || subject_words)), '[^[:alnum:]]+') w
WHERE length(w) >= 4;
DROP TABLE staging_documents;
