-- What a SCIM write sets besides the establishment and the active state (those change only
-- through catalogue.provisioning.changes.people_changed), with the next version.
UPDATE people SET
    user_name       = $2,
    external_id     = $3,
    display_name    = $4,
    given_name      = $5,
    family_name     = $6,
    name_formatted  = $7,
    email           = $8,
    roles           = $9,
    scim_active     = $10,
    scim_version    = scim_version + 1,
    scim_updated_at = now()
WHERE id = $1
