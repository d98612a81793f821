-- Documents of one discipline set, then of one level set, side by side: a query on a subject
-- reads a page per several matches instead of a page per match. Documents indexed later
-- (the outbox) go anywhere, until the next rebuild.
INSERT INTO search_documents_next
SELECT * FROM search_documents_fill ORDER BY disciplines_set, levels_set;
DROP TABLE search_documents_fill;
-- Indexes built once, on complete tables (much faster than row by row).
ALTER TABLE search_documents_next ADD PRIMARY KEY (id);
ALTER TABLE search_display_next ADD PRIMARY KEY (id);
CREATE INDEX search_documents_next_tsv ON search_documents_next USING gin (tsv);
CREATE INDEX search_documents_next_levels ON search_documents_next (levels_set);
CREATE INDEX search_documents_next_disciplines ON search_documents_next (disciplines_set);
CREATE INDEX search_documents_next_types ON search_documents_next (resource_types_set);
CREATE INDEX search_documents_next_price ON search_documents_next (min_price_cents);
CREATE INDEX search_documents_next_date ON search_documents_next (published_at);
CREATE INDEX search_documents_next_publisher ON search_documents_next (publisher_id);
CREATE TABLE search_words_next_distinct AS SELECT DISTINCT word FROM search_words_next;
DROP TABLE search_words_next;
ALTER TABLE search_words_next_distinct ADD PRIMARY KEY (word);
CREATE INDEX search_words_next_trgm ON search_words_next_distinct USING gin (word gin_trgm_ops);
ANALYZE search_documents_next;
ANALYZE search_display_next;
ANALYZE search_words_next_distinct;
