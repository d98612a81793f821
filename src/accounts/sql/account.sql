SELECT id, kind, owner, balance_cents FROM accounts WHERE period_id = $1 AND kind = $2 AND owner = $3
