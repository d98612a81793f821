SELECT r.* FROM harvest_runs r JOIN harvest_sources s ON s.id = r.source_id
WHERE r.id = $1 AND s.publisher_id = $2
