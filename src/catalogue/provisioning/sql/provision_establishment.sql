-- A platform provisions an establishment as the Group $4 (created $5, at version $6): a new
-- establishment, or one the directory knows that no Group stands for yet (null: one does).
INSERT INTO establishments AS e (uai, name, academie, scim_id, scim_display_name,
                                 scim_external_id, scim_created_at, scim_updated_at,
                                 scim_version)
VALUES ($1, $2, 'inconnue', $4, $2, $3, $5, now(), $6)
ON CONFLICT (uai) DO UPDATE SET
    scim_id           = EXCLUDED.scim_id,
    scim_display_name = EXCLUDED.scim_display_name,
    scim_external_id  = EXCLUDED.scim_external_id,
    scim_created_at   = EXCLUDED.scim_created_at,
    scim_updated_at   = now(),
    scim_version      = EXCLUDED.scim_version
WHERE e.scim_created_at IS NULL
RETURNING uai
