UPDATE establishments
SET scim_display_name = $2, scim_external_id = $3, scim_version = scim_version + 1,
    scim_updated_at = now()
WHERE uai = $1
