-- A person's movements, signed from their side (positive in), newest first.
SELECT t.id AS transfer_id, t.created_at AS at, t.kind, t.acquisition_id, t.reason,
       CASE WHEN dest.kind = 'teacher' AND dest.owner = $1 THEN t.amount_cents
            ELSE -t.amount_cents END AS amount_cents
FROM transfers t
JOIN accounts src ON src.id = t.from_account
JOIN accounts dest ON dest.id = t.to_account
WHERE t.from_account IN (SELECT id FROM accounts WHERE kind = 'teacher' AND owner = $1)
   OR t.to_account IN (SELECT id FROM accounts WHERE kind = 'teacher' AND owner = $1)
ORDER BY t.id DESC
LIMIT $2
