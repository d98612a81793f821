-- Any period covering today, open or closed.
SELECT id FROM budget_periods WHERE current_date BETWEEN starts_on AND ends_on
