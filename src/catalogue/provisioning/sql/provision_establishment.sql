-- A platform provisions an establishment as a Group: a new one, or one the directory already
-- knows that no platform provisioned yet (null: it is provisioned already).
INSERT INTO establishments AS e (uai, name, academie, scim_display_name, scim_external_id,
                                 scim_created_at, scim_updated_at)
VALUES ($1, $2, 'inconnue', $2, $3, now(), now())
ON CONFLICT (uai) DO UPDATE SET
    scim_display_name = EXCLUDED.scim_display_name,
    scim_external_id  = EXCLUDED.scim_external_id,
    scim_created_at   = now(),
    scim_updated_at   = now(),
    scim_version      = e.scim_version + 1
WHERE e.scim_created_at IS NULL
RETURNING uai
