-- $2 an establishment's UAI or $3 an académie, the other NULL.
INSERT INTO collection_features (collection_id, establishment_uai, academie, featured_by)
VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING
