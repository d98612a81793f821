-- A person's teacher accounts in the open periods, locked in id order like every transfer
-- ($1 person id as text).
SELECT a.id, a.period_id, a.balance_cents
FROM accounts a
JOIN budget_periods p ON p.id = a.period_id
WHERE a.kind = 'teacher' AND a.owner = $1 AND p.status = 'open'
ORDER BY a.id
FOR UPDATE OF a
