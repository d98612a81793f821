DELETE FROM collection_features
WHERE collection_id = $1
  AND establishment_uai IS NOT DISTINCT FROM $2
  AND academie IS NOT DISTINCT FROM $3
