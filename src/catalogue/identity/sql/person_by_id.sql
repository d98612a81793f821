-- A person's rights; a deactivated person has none (their sessions and tokens stop).
SELECT id, display_name, roles, establishment_uai, academie, publisher_id
FROM people
WHERE id = $1 AND deactivated_at IS NULL
