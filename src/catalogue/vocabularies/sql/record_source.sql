INSERT INTO vocabulary_sources (source, checksum, concepts) VALUES ($1, $2, $3)
ON CONFLICT (source) DO UPDATE SET
    checksum = EXCLUDED.checksum, concepts = EXCLUDED.concepts, loaded_at = now()
