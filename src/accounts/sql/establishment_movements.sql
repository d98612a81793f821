-- Who arrived at or left an establishment, newest first ($1 UAI, $2 limit).
SELECT id, person_id, kind, from_uai, to_uai, envelope, reason, moved_at
FROM person_movements WHERE from_uai = $1 OR to_uai = $1
ORDER BY id DESC
LIMIT $2
