SELECT a.balance_cents,
       coalesce((SELECT sum(amount_cents) FROM transfers
                 WHERE to_account = a.id AND kind = 'allocation'), 0)::bigint AS allocated_cents
FROM accounts a WHERE a.period_id = $1 AND a.kind = $2 AND a.owner = $3
