-- Roles and scopes follow the identity provider's latest claims, except for a person
-- provisioned by SCIM (a userName): the directory owns their roles and establishment.
INSERT INTO people AS p (issuer, subject, display_name, email, roles, establishment_uai,
                         academie, publisher_id, last_seen_at)
VALUES ($1, $2, coalesce($3, ''), $4, $5, $6, $7, $8, now())
ON CONFLICT (issuer, subject) DO UPDATE SET
    display_name      = coalesce(nullif(EXCLUDED.display_name, ''), p.display_name),
    email             = coalesce(EXCLUDED.email, p.email),
    roles             = CASE WHEN p.user_name IS NULL THEN EXCLUDED.roles ELSE p.roles END,
    -- Claims that name no establishment nor académie are not a move: the person stays
    -- where they are, with their envelope (a move goes through the ledger first).
    establishment_uai = CASE WHEN p.user_name IS NOT NULL
                               OR (EXCLUDED.establishment_uai IS NULL AND EXCLUDED.academie IS NULL)
                             THEN p.establishment_uai ELSE EXCLUDED.establishment_uai END,
    academie          = CASE WHEN p.user_name IS NOT NULL
                             THEN coalesce((SELECT e.academie FROM establishments e
                                            WHERE e.uai = p.establishment_uai), p.academie)
                             WHEN EXCLUDED.establishment_uai IS NULL AND EXCLUDED.academie IS NULL
                             THEN p.academie
                             ELSE EXCLUDED.academie END,
    publisher_id      = CASE WHEN p.user_name IS NULL THEN EXCLUDED.publisher_id
                             ELSE p.publisher_id END,
    last_seen_at      = now()
RETURNING id, roles, establishment_uai, academie, publisher_id, deactivated_at IS NOT NULL AS deactivated
