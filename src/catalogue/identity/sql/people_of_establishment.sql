SELECT id, display_name, roles, establishment_uai, academie
FROM people
WHERE establishment_uai = $1
ORDER BY display_name, id
