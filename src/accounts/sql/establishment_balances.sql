SELECT owner, balance_cents FROM accounts
WHERE period_id = $1 AND kind = 'establishment' AND owner = ANY ($2::text[])
