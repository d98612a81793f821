-- Where a person's lists are featured, for their download.
SELECT f.collection_id,
       CASE WHEN f.establishment_uai IS NULL THEN 'academie' ELSE 'establishment' END AS scope,
       f.establishment_uai, f.academie
FROM collections c
JOIN collection_features f ON f.collection_id = c.id
WHERE c.owner_id = $1
ORDER BY f.featured_at
