SELECT id, reason, text, created_at FROM commun_reports
WHERE resource_id = $1 AND closed_at IS NULL ORDER BY created_at
