-- The name and e-mail of people who left more than $1 days ago, erased; the row, its id and
-- everything that points to it (ledger, acquisitions, licences, pseudonyms) stay. The ids
-- erased now, for the other contexts' erasure in the same transaction (their lists...).
WITH erased AS (
    UPDATE people SET display_name = '', email = NULL, erased_at = now()
    WHERE deactivated_at IS NOT NULL AND erased_at IS NULL
      AND deactivated_at < now() - make_interval(days => $1)
    RETURNING id
)
SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM erased
