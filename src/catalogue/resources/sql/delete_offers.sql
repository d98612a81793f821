DELETE FROM offers WHERE resource_id = $1
