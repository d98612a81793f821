SELECT id, name, starts_on, ends_on, leftover, status, closed_at FROM budget_periods ORDER BY starts_on DESC
