INSERT INTO harvest_runs (source_id) VALUES ($1) RETURNING id, started_at
