-- Roles and scopes follow the identity provider's latest claims.
INSERT INTO people AS p (issuer, subject, display_name, email, roles, establishment_uai,
                         academie, publisher_id, last_seen_at)
VALUES ($1, $2, coalesce($3, ''), $4, $5, $6, $7, $8, now())
ON CONFLICT (issuer, subject) DO UPDATE SET
    display_name      = coalesce(nullif(EXCLUDED.display_name, ''), p.display_name),
    email             = coalesce(EXCLUDED.email, p.email),
    roles             = EXCLUDED.roles,
    establishment_uai = EXCLUDED.establishment_uai,
    academie          = EXCLUDED.academie,
    publisher_id      = EXCLUDED.publisher_id,
    last_seen_at      = now()
RETURNING id
