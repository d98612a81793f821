UPDATE budget_periods SET status = 'closed', closed_at = now() WHERE id = $1
RETURNING id, name, starts_on, ends_on, leftover, status, closed_at
