-- The free text of the reports that people erased now had filed (their own words, which may
-- name them); the reason, the date and the resource stay, for the moderation's record.
WITH emptied AS (
    UPDATE commun_reports SET text = ''
    WHERE reporter_id = ANY($1::uuid[]) AND text <> ''
    RETURNING 1
)
SELECT count(*) FROM emptied
