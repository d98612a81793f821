-- Locks a Group's establishment for a change; its UAI (null: no such Group).
SELECT uai FROM establishments WHERE scim_id = $1 AND scim_created_at IS NOT NULL FOR UPDATE
