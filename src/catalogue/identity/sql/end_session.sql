UPDATE sessions SET ended_at = now() WHERE id_hash = $1 AND ended_at IS NULL
