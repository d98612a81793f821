-- Locks an establishment of the SCIM view for a change; true when it is one.
SELECT true FROM establishments WHERE uai = $1 AND scim_created_at IS NOT NULL FOR UPDATE
