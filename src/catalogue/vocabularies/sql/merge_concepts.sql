INSERT INTO vocabulary_concepts AS c
SELECT * FROM staging_concepts
ON CONFLICT (uri) DO UPDATE SET
    scheme = EXCLUDED.scheme,
    label = EXCLUDED.label,
    alt_labels = EXCLUDED.alt_labels,
    broader = EXCLUDED.broader,
    ancestors = EXCLUDED.ancestors,
    replaced_by = EXCLUDED.replaced_by,
    deprecated = EXCLUDED.deprecated
