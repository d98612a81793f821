-- The lists a person (an administrator) features, for their download.
SELECT c.id, c.title,
       CASE WHEN f.establishment_uai IS NULL THEN 'academie' ELSE 'establishment' END AS scope,
       f.establishment_uai, f.academie, f.featured_at
FROM collection_features f
JOIN collections c ON c.id = f.collection_id
WHERE f.featured_by = $1
ORDER BY f.featured_at, c.id
