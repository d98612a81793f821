-- A new acquisition with its licence ($19 NULL: none until approved), its transfer (none
-- when free), its webhook event $27 with payload $28 (NULL: the publisher has no webhook) and
-- its GAR subscription's creation, delivery $29 of subscription $30 (NULL: no GAR
-- subscription; its body is the worker's to build), in one statement: the transfer's trigger
-- locks the two accounts last, and they stay locked only until the commit that follows.
WITH acquisition AS (
    INSERT INTO acquisitions (id, person_id, idempotency_key, request_hash, period_id, offer_id,
                              resource_id, publisher_id, establishment_uai, academie, quantity,
                              unit_price_cents, total_cents, status, response_status, response,
                              created_at, completed_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
    RETURNING id
),
licence AS (
    INSERT INTO licences (id, acquisition_id, person_id, offer_id, resource_id, publisher_id,
                          holder_kind, holder, seats, valid_from, valid_until)
    SELECT $19, a.id, $2, $6, $7, $8, $20, $21, $22, $17, $23
    FROM acquisition a
    WHERE $19::uuid IS NOT NULL
),
delivery AS (
    INSERT INTO webhook_deliveries (id, publisher_id, event_type, payload, created_at,
                                    next_attempt_at)
    SELECT $27, w.publisher_id, 'acquisition.completed', $28, $17, $17
    FROM acquisition a
    JOIN publisher_webhooks w ON w.publisher_id = $8
    WHERE $28::jsonb IS NOT NULL
),
subscription AS (
    INSERT INTO gar_deliveries (id, licence_id, subscription_id, method, body, created_at,
                                next_attempt_at)
    SELECT $29, $19, $30, 'PUT', NULL, $17, $17
    FROM acquisition a
    WHERE $29::uuid IS NOT NULL
)
INSERT INTO transfers (period_id, from_account, to_account, amount_cents, kind, acquisition_id,
                       created_by)
SELECT $5, $24, $25, $13, $26, a.id, $2
FROM acquisition a
WHERE $13 > 0
