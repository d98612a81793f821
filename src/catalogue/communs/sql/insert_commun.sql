INSERT INTO communs (resource_id, author_id, establishment_uai, academie, show_name, licence,
                     based_on, credits, state)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)
