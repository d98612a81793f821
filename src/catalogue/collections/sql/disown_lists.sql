-- The lists of people erased now ($1) that stay (featured, public: erase_lists.sql ran
-- first) lose their author: nobody owns or edits them any more.
WITH kept AS (
    UPDATE collections SET owner_id = NULL
    WHERE owner_id = ANY($1::uuid[])
    RETURNING 1
)
SELECT count(*)::int FROM kept
