-- A person's establishment (and so their académie) and active state
-- (catalogue.provisioning.changes.people_changed).
UPDATE people
SET establishment_uai = $2,
    academie = CASE WHEN $2::text IS NULL THEN academie
                    ELSE (SELECT academie FROM establishments WHERE uai = $2) END,
    deactivated_at = CASE WHEN $3 THEN NULL ELSE coalesce(deactivated_at, now()) END,
    scim_version = scim_version + 1, scim_updated_at = now()
WHERE id = $1
