-- People of the SCIM view, narrowed by the equalities a filter pushes down ($1 userName,
-- $2 externalId, $3 e-mail, each ignored when null), oldest first.
SELECT id, user_name, external_id, display_name, given_name, family_name, name_formatted,
       email, roles, establishment_uai, deactivated_at, scim_active, created_at,
       scim_updated_at AS updated_at, scim_version
FROM people
WHERE user_name IS NOT NULL AND scim_removed_at IS NULL
  AND ($1::text IS NULL OR lower(user_name) = lower($1))
  AND ($2::text IS NULL OR external_id = $2)
  AND ($3::text IS NULL OR lower(email) = lower($3))
ORDER BY created_at, id
