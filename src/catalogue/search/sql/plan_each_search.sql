-- In the search's transaction, one round trip: each search planned with its own words
-- (search/pg.py), and at most $1 ms long (null: no bound of its own), so that a search past
-- its time answers 503 (Retry-After) instead of holding a connection.
SELECT set_config('plan_cache_mode', 'force_custom_plan', true),
       set_config('statement_timeout', coalesce($1, current_setting('statement_timeout')), true)
