INSERT INTO search_outbox_parked (resource_id, error)
VALUES ($1, $2)
ON CONFLICT (resource_id) DO UPDATE SET error = EXCLUDED.error, parked_at = now()
