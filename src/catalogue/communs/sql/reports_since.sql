-- How many reports a person filed lately (the rate limit).
SELECT count(*) FROM commun_reports WHERE reporter_id = $1 AND created_at > now() - $2::interval
