INSERT INTO people (issuer, subject, display_name, email, roles, establishment_uai, academie,
                    publisher_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (issuer, subject) DO NOTHING
