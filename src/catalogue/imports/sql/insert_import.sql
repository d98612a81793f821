INSERT INTO imports (publisher_id, connector, source, started_at, created, updated, unchanged,
                     rejected, items)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING id, finished_at
