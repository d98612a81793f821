INSERT INTO acquisitions (id, person_id, idempotency_key, request_hash, period_id, offer_id,
                          resource_id, publisher_id, establishment_uai, academie, quantity,
                          unit_price_cents, total_cents, status, response_status, response,
                          created_at, completed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
