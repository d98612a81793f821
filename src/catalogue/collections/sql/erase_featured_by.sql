-- A list an administrator erased now ($1) featured stays featured by their establishment or
-- académie; who featured it is forgotten.
WITH kept AS (
    UPDATE collection_features SET featured_by = NULL
    WHERE featured_by = ANY($1::uuid[])
    RETURNING 1
)
SELECT count(*)::int FROM kept
