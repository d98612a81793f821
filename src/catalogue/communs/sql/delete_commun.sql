-- A deleted commun's own rows go (cascade: its versions, reports and files); its resource
-- stays as a tombstone (bury_resource).
DELETE FROM communs WHERE resource_id = $1
