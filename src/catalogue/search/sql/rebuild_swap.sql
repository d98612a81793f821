-- The new tables take the old ones' place, in one short transaction.
DROP TABLE search_documents;
DROP TABLE search_display;
DROP TABLE search_words;
ALTER TABLE search_documents_next RENAME TO search_documents;
ALTER TABLE search_display_next RENAME TO search_display;
ALTER TABLE search_words_next_distinct RENAME TO search_words;
ALTER INDEX search_documents_next_pkey RENAME TO search_documents_pkey;
ALTER INDEX search_display_next_pkey RENAME TO search_display_pkey;
ALTER INDEX search_documents_next_tsv RENAME TO search_documents_tsv;
ALTER INDEX search_documents_next_levels RENAME TO search_documents_levels;
ALTER INDEX search_documents_next_disciplines RENAME TO search_documents_disciplines;
ALTER INDEX search_documents_next_types RENAME TO search_documents_types;
ALTER INDEX search_documents_next_price RENAME TO search_documents_price;
ALTER INDEX search_documents_next_date RENAME TO search_documents_date;
ALTER INDEX search_documents_next_publisher RENAME TO search_documents_publisher;
ALTER INDEX search_words_next_distinct_pkey RENAME TO search_words_pkey;
ALTER INDEX search_words_next_trgm RENAME TO search_words_trgm;
