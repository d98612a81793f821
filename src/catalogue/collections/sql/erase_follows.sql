-- Who follows which list: people erased now ($1) no longer do.
WITH gone AS (
    DELETE FROM collection_follows WHERE person_id = ANY($1::uuid[]) RETURNING 1
)
SELECT count(*)::int FROM gone
