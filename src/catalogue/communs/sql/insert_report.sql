INSERT INTO commun_reports (resource_id, reporter_id, reason, text)
VALUES ($1, $2, $3, $4)
RETURNING id, resource_id, reason, created_at
