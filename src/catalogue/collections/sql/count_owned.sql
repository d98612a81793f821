SELECT count(*) FROM collections WHERE owner_id = $1
