-- A run of this source still marked running lost its worker (a source has one harvest job at
-- a time): it is closed as failed, and the new run resumes from its last saved page.
WITH interrupted AS (
    UPDATE harvest_runs SET status = 'failed', finished_at = now(),
        error = 'interrompue : le worker s''est arrêté pendant la moisson ; la suivante l''a reprise'
    WHERE source_id = $1 AND status = 'running'
)
INSERT INTO harvest_runs (source_id) VALUES ($1) RETURNING id, started_at
