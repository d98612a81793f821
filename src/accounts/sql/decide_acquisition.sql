UPDATE acquisitions
SET status = $2, decided_at = now(), decided_by = $3,
    completed_at = CASE WHEN $2 = 'completed' THEN now() ELSE completed_at END
WHERE id = $1
