SELECT id FROM accounts WHERE period_id = $1 AND kind = $2 AND owner = $3
