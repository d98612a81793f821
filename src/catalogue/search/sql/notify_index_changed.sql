-- The embedded (Tantivy) index has a new commit: each serving process reloads its reader.
SELECT pg_notify('catalogue_search_index', '')
