-- As merge_documents, into the tables being rebuilt.
INSERT INTO search_display_next (
    id, title, description, publisher_name, thumbnail_url, levels_tagged, disciplines_tagged)
SELECT id, title, description, publisher_name, thumbnail_url, levels_tagged, disciplines_tagged
FROM staging_documents;
INSERT INTO search_documents_fill (
    id, publisher_id, levels_set, disciplines_set, resource_types_set, pedagogical_types_set,
    licence_types_set, accessibility_set, languages_set, audiences_set, published_at,
    min_price_cents, free, commun, tsv)
SELECT id, publisher_id, levels_set, disciplines_set, resource_types_set, pedagogical_types_set,
       licence_types_set, accessibility_set, languages_set, audiences_set, published_at,
       min_price_cents, free, commun,
       setweight(to_tsvector('catalogue_fr', title_words), 'A')
       || setweight(to_tsvector('catalogue_fr', subject_words), 'B')
       || setweight(to_tsvector('catalogue_fr', description_words), 'C')
FROM staging_documents;
INSERT INTO search_words_next (word)
SELECT DISTINCT w
FROM staging_documents,
     regexp_split_to_table(lower(unaccent(title_words || ' ' || subject_words)), '[^[:alnum:]]+') w
WHERE length(w) >= 4;
DROP TABLE staging_documents, staging_value_sets;
