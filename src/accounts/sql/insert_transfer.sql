-- The trigger apply_transfer() moves the balances in this same statement.
INSERT INTO transfers (period_id, from_account, to_account, amount_cents, kind, acquisition_id,
                       created_by, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id
