SELECT storage_key FROM commun_files WHERE resource_id = $1
