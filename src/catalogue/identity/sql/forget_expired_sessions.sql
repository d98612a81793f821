-- Keeps the table small: a person's sessions ended or expired for a day are of no more use.
DELETE FROM sessions
WHERE person_id = $1
  AND (expires_at < now() - interval '1 day' OR ended_at < now() - interval '1 day')
