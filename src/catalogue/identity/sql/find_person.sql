SELECT id, roles, establishment_uai, academie
FROM people
WHERE issuer = $1 AND subject = $2
