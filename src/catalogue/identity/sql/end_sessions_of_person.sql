WITH ended AS (
    UPDATE sessions SET ended_at = now()
    WHERE person_id = $1 AND ended_at IS NULL
    RETURNING 1
)
SELECT count(*)::int FROM ended
