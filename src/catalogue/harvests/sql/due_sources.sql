-- Enabled sources whose last run started longer ago than their period (or never ran).
SELECT s.id FROM harvest_sources s
WHERE s.enabled AND NOT EXISTS (
    SELECT 1 FROM harvest_runs r
    WHERE r.source_id = s.id AND r.started_at > now() - make_interval(mins => s.every_minutes)
)
