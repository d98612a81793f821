-- A deleted commun's resource, kept as a tombstone: withdrawn (out of search and the
-- ScoLOMFR export; a deleted record for OAI-PMH harvesters, whose Identify declares
-- deletedRecord "persistent") and emptied of everything it said.
UPDATE resources
SET status = 'withdrawn', title = 'Commun supprimé', description = '', keywords = '{}',
    languages = '{}', resource_types = '{}', pedagogical_types = '{}', audiences = '{}',
    levels = '{}', disciplines = '{}', accessibility = '{}', formats = '{}', rights = NULL,
    thumbnail_url = NULL, access_url = NULL, unknown_concepts = '{}', contributors = '[]',
    content_hash = NULL, updated_at = now()
WHERE id = $1
