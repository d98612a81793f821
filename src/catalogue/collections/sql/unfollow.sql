DELETE FROM collection_follows WHERE collection_id = $1 AND person_id = $2
