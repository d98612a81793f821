-- A list no longer public is featured nowhere.
DELETE FROM collection_features WHERE collection_id = $1
