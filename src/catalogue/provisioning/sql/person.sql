-- A person of the SCIM view: provisioned (a userName) and not removed through SCIM.
SELECT id, user_name, external_id, display_name, given_name, family_name, name_formatted,
       email, roles, establishment_uai, deactivated_at, scim_active, created_at,
       scim_updated_at AS updated_at, scim_version
FROM people
WHERE id = $1 AND user_name IS NOT NULL AND scim_removed_at IS NULL
