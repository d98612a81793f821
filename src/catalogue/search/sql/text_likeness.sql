-- "Ressources similaires" on PostgreSQL: how much text each candidate ($2) shares with the
-- resource ($1), as the Jaccard index of their indexed words (title, keywords, concept
-- labels and description, stemmed): shared words over the words of either, 0 to 1. A
-- resource not indexed (yet) gives no rows.
WITH source AS (
    SELECT tsvector_to_array(tsv) AS words FROM search_documents WHERE id = $1
)
SELECT d.id,
       shared.n::float8 / greatest(cardinality(s.words) + length(d.tsv) - shared.n, 1) AS likeness
FROM source s
CROSS JOIN search_documents d
CROSS JOIN LATERAL (
    SELECT count(*) AS n FROM unnest(tsvector_to_array(d.tsv)) AS w WHERE w = ANY (s.words)
) shared
WHERE d.id = ANY ($2::uuid[])
