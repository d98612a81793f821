INSERT INTO search_words (word)
SELECT DISTINCT w
FROM staging_documents,
     regexp_split_to_table(lower(unaccent(title_words || ' ' || subject_words)), '[^[:alnum:]]+') w
WHERE length(w) >= 4
ON CONFLICT (word) DO NOTHING
