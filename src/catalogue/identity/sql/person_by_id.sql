-- A person who may act: nobody once deactivated (they left the service).
SELECT id, display_name, roles, establishment_uai, academie, publisher_id
FROM people
WHERE id = $1 AND deactivated_at IS NULL
