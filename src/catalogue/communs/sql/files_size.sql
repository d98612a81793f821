SELECT coalesce(sum(size), 0)::bigint FROM commun_files WHERE resource_id = $1
