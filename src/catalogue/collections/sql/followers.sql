SELECT count(*) AS followers,
       coalesce(bool_or(person_id = $2), false) AS followed
FROM collection_follows WHERE collection_id = $1
