UPDATE commun_reports SET closed_at = now() WHERE resource_id = $1 AND closed_at IS NULL
