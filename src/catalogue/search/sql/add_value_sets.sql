INSERT INTO search_value_sets (id, vals)
SELECT DISTINCT ON (id) id, vals FROM staging_value_sets
ON CONFLICT (id) DO NOTHING
