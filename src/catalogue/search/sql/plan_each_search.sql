-- Each search planned with its own words (search/pg.py), in the search's transaction.
SET LOCAL plan_cache_mode = force_custom_plan
