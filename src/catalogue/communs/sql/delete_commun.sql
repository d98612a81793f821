-- The resource goes, and with it (cascade) the commun, its versions and its reports.
DELETE FROM resources WHERE id = $1
