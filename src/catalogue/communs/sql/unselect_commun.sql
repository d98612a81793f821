DELETE FROM commun_selections WHERE person_id = $1 AND resource_id = $2
