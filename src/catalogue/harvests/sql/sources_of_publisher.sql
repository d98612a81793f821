SELECT s.*, r.id AS last_run_id, r.status AS last_status, r.started_at AS last_started_at
FROM harvest_sources s
LEFT JOIN LATERAL (
    SELECT id, status, started_at FROM harvest_runs WHERE source_id = s.id
    ORDER BY started_at DESC LIMIT 1
) r ON true
WHERE s.publisher_id = $1
ORDER BY s.created_at
