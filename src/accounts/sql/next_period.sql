SELECT id FROM budget_periods WHERE starts_on > $1 AND status = 'open' ORDER BY starts_on LIMIT 1
