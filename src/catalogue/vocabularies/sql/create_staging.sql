CREATE TEMPORARY TABLE staging_concepts (LIKE vocabulary_concepts) ON COMMIT DROP
