-- A current file of the same name that an earlier version ($3) already had: it stays that
-- version's (and the earlier ones'), up to the version before the current one.
UPDATE commun_files SET last_version = $3 - 1
WHERE resource_id = $1 AND name = $2 AND last_version IS NULL AND first_version < $3
