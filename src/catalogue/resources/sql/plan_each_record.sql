-- In a batch's transaction: each record's statements planned for its values. A plan cached
-- while the tables were small (the first batches into an empty catalogue) would scan them
-- whole ever after.
SET LOCAL plan_cache_mode = force_custom_plan
