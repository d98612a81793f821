-- First sign-in of a person provisioned by SCIM, not found by issuer and subject: the one
-- provisioned person who never signed in and whose e-mail ($3 = 'email') or externalId
-- (otherwise) is the matching claim's value $4 gets this issuer and subject. Two
-- candidates: no link (never a guess), and both are named (by id) so the caller refuses.
WITH candidates AS (
    SELECT id FROM people
    WHERE issuer IS NULL AND user_name IS NOT NULL AND scim_removed_at IS NULL
      AND CASE WHEN $3 = 'email' THEN lower(email) = lower($4) ELSE external_id = $4 END
    ORDER BY id
    LIMIT 2
), linked AS (
    UPDATE people p SET issuer = $1, subject = $2
    WHERE (SELECT count(*) FROM candidates) = 1 AND p.id IN (SELECT id FROM candidates)
    RETURNING p.id
)
SELECT (SELECT id FROM linked) AS linked,
       ARRAY(SELECT id FROM candidates ORDER BY id) AS candidates
