-- A person provisioned before their first sign-in (no issuer or subject yet); their académie
-- is their establishment's. One statement, no transaction around it: a create is one round
-- trip after the establishment's check.
INSERT INTO people (user_name, external_id, display_name, given_name, family_name,
                    name_formatted, email, roles, establishment_uai, academie, scim_active,
                    deactivated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
        (SELECT academie FROM establishments WHERE uai = $9), $11,
        CASE WHEN $10 THEN NULL ELSE now() END)
RETURNING id, user_name, external_id, display_name, given_name, family_name, name_formatted,
          email, roles, establishment_uai, deactivated_at, scim_active, created_at,
          scim_updated_at AS updated_at, scim_version
