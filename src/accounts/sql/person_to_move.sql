-- A person about to move or leave, locked for the movement, with their establishment's
-- académie ($1 person id).
SELECT p.id, p.establishment_uai, e.academie, p.deactivated_at IS NOT NULL AS deactivated
FROM people p
LEFT JOIN establishments e ON e.uai = p.establishment_uai
WHERE p.id = $1
FOR UPDATE OF p
