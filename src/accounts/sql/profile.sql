SELECT id, display_name, email, roles, establishment_uai, academie, created_at, last_seen_at,
       deactivated_at
FROM people WHERE id = $1
