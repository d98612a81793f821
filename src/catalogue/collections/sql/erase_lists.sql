-- The lists of people erased now ($1), but their public lists that an establishment or an
-- académie features: those stay on its page, without their author (disown_lists.sql).
WITH gone AS (
    DELETE FROM collections c
    WHERE c.owner_id = ANY($1::uuid[])
      AND NOT (c.visibility = 'public'
               AND EXISTS (SELECT 1 FROM collection_features f WHERE f.collection_id = c.id))
    RETURNING 1
)
SELECT count(*)::int FROM gone
