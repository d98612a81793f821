INSERT INTO harvest_sources (publisher_id, base_url, set_spec, every_minutes)
VALUES ($1, $2, $3, $4)
RETURNING *
