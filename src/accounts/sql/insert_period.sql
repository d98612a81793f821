INSERT INTO budget_periods (name, starts_on, ends_on, leftover)
VALUES ($1, $2, $3, $4)
RETURNING id, name, starts_on, ends_on, leftover, status, closed_at
