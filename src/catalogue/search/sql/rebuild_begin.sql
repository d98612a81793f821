-- A fresh table, without indexes while it fills (building them once at the end is faster).
DROP TABLE IF EXISTS search_documents_next;
CREATE TABLE search_documents_next (LIKE search_documents INCLUDING DEFAULTS);
DROP TABLE IF EXISTS search_words_next;
CREATE TABLE search_words_next (word text NOT NULL);
