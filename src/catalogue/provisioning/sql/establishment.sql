-- An establishment of the SCIM view (a provisioned Group, by its id), with its members.
SELECT e.scim_id AS id, e.uai, coalesce(e.scim_display_name, e.name) AS display_name,
       e.scim_external_id AS external_id, e.scim_version AS version,
       e.scim_created_at AS created_at, coalesce(e.scim_updated_at, e.scim_created_at) AS updated_at,
       ARRAY(SELECT p.id FROM people p
             WHERE p.establishment_uai = e.uai AND p.user_name IS NOT NULL
               AND p.scim_removed_at IS NULL
             ORDER BY p.created_at, p.id) AS members
FROM establishments e
WHERE e.scim_id = $1 AND e.scim_created_at IS NOT NULL
