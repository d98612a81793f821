-- Fresh tables, without indexes while they fill (building them once at the end is faster).
-- Documents first go to an unlogged table, copied in order at the end (rebuild_index).
-- Value sets are shared with the live index: ids are content hashes, so both agree on them.
DROP TABLE IF EXISTS search_documents_fill;
CREATE UNLOGGED TABLE search_documents_fill (LIKE search_documents INCLUDING DEFAULTS);
DROP TABLE IF EXISTS search_documents_next;
CREATE TABLE search_documents_next (LIKE search_documents INCLUDING DEFAULTS);
DROP TABLE IF EXISTS search_display_next;
CREATE TABLE search_display_next (LIKE search_display INCLUDING DEFAULTS);
DROP TABLE IF EXISTS search_words_next;
CREATE TABLE search_words_next (word text NOT NULL);
