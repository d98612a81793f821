SELECT id, display_name, roles, establishment_uai, academie, publisher_id
FROM people
WHERE id = $1
