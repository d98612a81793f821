-- A commun's files belong to its versions: a file is one of versions `first_version` to
-- `last_version` (NULL: it is still one of the current version's). An edit creates a version
-- that keeps the current files; a file of the same name uploaded later closes the earlier one
-- at the version before, so that each version's files stay readable at that version.
ALTER TABLE commun_files
    ADD COLUMN first_version integer NOT NULL DEFAULT 1 CHECK (first_version >= 1),
    ADD COLUMN last_version integer CHECK (last_version >= first_version);
-- Files stored before this migration are known from the version their commun was at.
UPDATE commun_files f SET first_version = c.version
FROM communs c WHERE c.resource_id = f.resource_id;
ALTER TABLE commun_files DROP CONSTRAINT commun_files_resource_id_name_key;
CREATE UNIQUE INDEX commun_files_current_name ON commun_files (resource_id, name)
    WHERE last_version IS NULL;
CREATE INDEX commun_files_versions ON commun_files (resource_id, first_version);

-- Communs a teacher added to their resources ("Ajouter à mes ressources"): free, nothing to
-- buy; the ENT médiacentre lists the visible ones beside the resources they hold licences for.
CREATE TABLE commun_selections (
    person_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    resource_id uuid NOT NULL REFERENCES communs (resource_id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, resource_id)
);

-- Reports on any published resource, publishers' offerings too: the same queue (académie
-- administrators review communs, national administrators offerings).
ALTER TABLE commun_reports DROP CONSTRAINT commun_reports_resource_id_fkey;
ALTER TABLE commun_reports
    ADD CONSTRAINT commun_reports_resource_id_fkey
    FOREIGN KEY (resource_id) REFERENCES resources (id) ON DELETE CASCADE;
