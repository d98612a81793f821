-- The open period covering today.
SELECT id, name, starts_on, ends_on, leftover, status, closed_at
FROM budget_periods
WHERE status = 'open' AND current_date BETWEEN starts_on AND ends_on
