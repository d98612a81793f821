SELECT id, name, starts_on, ends_on, leftover, status, closed_at FROM budget_periods WHERE id = $1
