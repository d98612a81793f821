-- A person's moves and departure, newest first ($1 person id).
SELECT id, person_id, kind, from_uai, to_uai, envelope, reason, moved_at
FROM person_movements WHERE person_id = $1
ORDER BY id DESC
