-- A deleted commun's reports go with it (its resource stays as a tombstone).
DELETE FROM commun_reports WHERE resource_id = $1
