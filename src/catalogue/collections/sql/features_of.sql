SELECT CASE WHEN establishment_uai IS NULL THEN 'academie' ELSE 'establishment' END AS scope,
       establishment_uai, academie
FROM collection_features WHERE collection_id = $1
ORDER BY featured_at
