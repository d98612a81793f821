-- A teacher by person id (or e-mail), with their establishment, its académie and state, and
-- whether they left.
SELECT p.id, p.establishment_uai, e.academie, p.deactivated_at IS NOT NULL AS deactivated,
       e.state AS establishment_state
FROM people p
JOIN establishments e ON e.uai = p.establishment_uai
WHERE 'teacher' = ANY (p.roles)
  AND (p.id::text = $1 OR lower(p.email) = lower($1))
  AND ($2::text IS NULL OR p.establishment_uai = $2)
