-- A run of this source still marked running lost its worker (a source has one harvest job at
-- a time): it is closed as failed, and the new run resumes from its last saved page.
WITH interrupted AS (
    UPDATE harvest_runs SET status = 'failed', finished_at = now(),
        error = 'interrupted: the worker stopped during the run; the next run resumed it'
    WHERE source_id = $1 AND status = 'running'
)
INSERT INTO harvest_runs (source_id) VALUES ($1) RETURNING id, started_at
