-- A departed person's erasure (catalogue.identity.retention) reaches their lists
-- (catalogue.collections.erasure): their lists are deleted, except a public list that an
-- establishment or an académie features, which stays on those pages without its author
-- (owner_id NULL: nobody owns or edits it any more). Who featured a list is forgotten too
-- when that administrator is erased (featured_by NULL); the feature itself stays.
ALTER TABLE collections ALTER COLUMN owner_id DROP NOT NULL;
ALTER TABLE collections
    ADD CONSTRAINT collections_unowned_public CHECK (owner_id IS NOT NULL OR visibility = 'public');
ALTER TABLE collection_features ALTER COLUMN featured_by DROP NOT NULL;
-- The features an administrator made: in their download, and forgotten at their erasure.
CREATE INDEX collection_features_featured_by ON collection_features (featured_by)
    WHERE featured_by IS NOT NULL;
