-- Moderation of single offerings: an administrator may approve one resource of a publisher
-- still under review; it is then visible although its publisher is not approved yet.
ALTER TABLE resources ADD COLUMN approved_at timestamptz;
