SELECT id, kind, owner, balance_cents FROM accounts WHERE id = $1
