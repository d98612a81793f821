-- A person provisioned before their first sign-in (no issuer or subject yet), at an
-- establishment ($9) the directory knows and has not closed; their académie is its. One
-- statement, no transaction around it: a create is one round trip. No row: the
-- establishment is unknown or closed (the caller reads which, to say so).
INSERT INTO people (user_name, external_id, display_name, given_name, family_name,
                    name_formatted, email, roles, establishment_uai, academie, scim_active,
                    deactivated_at)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, e.academie, $11,
       CASE WHEN $10 THEN NULL ELSE now() END
FROM (VALUES (1)) AS one (x)
LEFT JOIN establishments e ON e.uai = $9::text
WHERE $9::text IS NULL OR (e.uai IS NOT NULL AND e.state IS DISTINCT FROM 'closed')
RETURNING id, user_name, external_id, display_name, given_name, family_name, name_formatted,
          email, roles, establishment_uai, deactivated_at, scim_active, created_at,
          scim_updated_at AS updated_at, scim_version
