SELECT person_id FROM sessions WHERE id_hash = $1 AND ended_at IS NULL AND expires_at > now()
