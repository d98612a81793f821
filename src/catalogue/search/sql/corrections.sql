-- For each query word unknown to the index, the nearest known words (typo tolerance).
SELECT w.word AS asked, s.word AS known
FROM unnest($1::text[]) AS w (word)
CROSS JOIN LATERAL (
    SELECT word FROM search_words
    WHERE word % w.word
      AND NOT EXISTS (SELECT 1 FROM search_words e WHERE e.word = w.word)
    ORDER BY word <-> w.word
    LIMIT 2
) AS s
