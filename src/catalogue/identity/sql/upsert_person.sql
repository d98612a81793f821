-- Roles and scopes follow the identity provider's latest claims, except for a person
-- provisioned by SCIM (a userName): the directory owns their roles and establishment.
INSERT INTO people AS p (issuer, subject, display_name, email, roles, establishment_uai,
                         academie, publisher_id, last_seen_at)
VALUES ($1, $2, coalesce($3, ''), $4, $5, $6, $7, $8, now())
ON CONFLICT (issuer, subject) DO UPDATE SET
    display_name      = coalesce(nullif(EXCLUDED.display_name, ''), p.display_name),
    email             = coalesce(EXCLUDED.email, p.email),
    roles             = CASE WHEN p.user_name IS NULL THEN EXCLUDED.roles ELSE p.roles END,
    establishment_uai = CASE WHEN p.user_name IS NULL THEN EXCLUDED.establishment_uai
                             ELSE p.establishment_uai END,
    academie          = CASE WHEN p.user_name IS NULL THEN EXCLUDED.academie
                             ELSE coalesce((SELECT e.academie FROM establishments e
                                            WHERE e.uai = p.establishment_uai), p.academie) END,
    publisher_id      = CASE WHEN p.user_name IS NULL THEN EXCLUDED.publisher_id
                             ELSE p.publisher_id END,
    last_seen_at      = now()
RETURNING id, roles, establishment_uai, academie, publisher_id, deactivated_at IS NOT NULL AS deactivated
