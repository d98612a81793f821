INSERT INTO sessions (id_hash, person_id, expires_at) VALUES ($1, $2, to_timestamp($3))
