-- The person an identity provider's issuer and subject name, locked for their sign-in: a
-- change of establishment moves them through the ledger before the claims are stored.
SELECT id, establishment_uai, user_name IS NOT NULL AS provisioned,
       deactivated_at IS NOT NULL AS deactivated
FROM people
WHERE issuer = $1 AND subject = $2
FOR UPDATE
