-- Returns nothing when a concurrent transaction created the row after this statement's
-- snapshot: the caller simply runs it again.
WITH created AS (
    INSERT INTO accounts (period_id, kind, owner, academie, establishment_uai)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (period_id, kind, owner) DO NOTHING
    RETURNING id
)
SELECT id FROM created
UNION ALL
SELECT id FROM accounts WHERE period_id = $1 AND kind = $2 AND owner = $3
LIMIT 1
