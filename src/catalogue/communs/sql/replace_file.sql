-- A current file of the same name that no earlier version had ($3 the current version): it
-- is replaced, and its storage key returned to be deleted once the change is committed.
DELETE FROM commun_files
WHERE resource_id = $1 AND name = $2 AND last_version IS NULL AND first_version >= $3
RETURNING storage_key
