-- DELETE of a Group: out of the SCIM view. The establishment stays (its accounts, its people).
UPDATE establishments
SET scim_created_at = NULL, scim_external_id = NULL, scim_version = scim_version + 1,
    scim_updated_at = now()
WHERE uai = $1 AND scim_created_at IS NOT NULL
RETURNING uai
