-- A teacher (by person id) who is not deactivated, with their establishment.
SELECT id, establishment_uai AS uai
FROM people
WHERE id = $1 AND 'teacher' = ANY (roles) AND deactivated_at IS NULL
