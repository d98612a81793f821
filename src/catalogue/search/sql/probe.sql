-- Whether the search tables can be read (the health check).
SELECT count(*) FROM search_words WHERE false
