-- The lists a person follows, for their download.
SELECT c.id, c.title, f.followed_at
FROM collection_follows f
JOIN collections c ON c.id = f.collection_id
WHERE f.person_id = $1
ORDER BY f.followed_at, c.id
