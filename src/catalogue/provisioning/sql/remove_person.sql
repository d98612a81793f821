-- DELETE through SCIM: out of the directory's view and deactivated; the row stays, for the
-- ledger, the acquisitions and the licences that name it.
UPDATE people
SET scim_removed_at = now(), deactivated_at = coalesce(deactivated_at, now()),
    scim_version = scim_version + 1, scim_updated_at = now()
WHERE id = $1
