INSERT INTO person_movements (person_id, kind, from_uai, to_uai, envelope, reason, moved_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, person_id, kind, from_uai, to_uai, envelope, reason, moved_at
