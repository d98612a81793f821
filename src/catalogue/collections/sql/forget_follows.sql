-- A list no longer public is no longer followed.
DELETE FROM collection_follows WHERE collection_id = $1
