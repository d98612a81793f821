WITH run AS (
    UPDATE harvest_runs SET status = $2, error = $3, finished_at = now()
    WHERE id = $1
    RETURNING source_id, started_at
)
UPDATE harvest_sources s SET
    harvested_until = CASE WHEN $2 = 'succeeded' THEN run.started_at ELSE s.harvested_until END,
    resume_token = CASE WHEN $2 = 'succeeded' THEN NULL ELSE s.resume_token END
FROM run
WHERE s.id = run.source_id
