INSERT INTO search_words (word)
SELECT DISTINCT w FROM unnest($1::text[]) AS w
ON CONFLICT (word) DO NOTHING
