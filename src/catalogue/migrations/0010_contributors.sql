-- Contributors of a resource (ScoLOMFR 2.3 contributions: role, and name and organisation
-- from the vCard), as the connectors read them.
ALTER TABLE resources ADD COLUMN contributors jsonb NOT NULL DEFAULT '[]';
