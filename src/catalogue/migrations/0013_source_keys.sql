-- A stable key for each resource within its publisher and connector, so that importing the
-- same notices again finds them even when they carry no usable identifier: the connector's
-- source id, else the technical location, else a hash of the normalised notice
-- (connectors.contract.source_key). Resources saved so far are keyed by their source id.
ALTER TABLE resources ADD COLUMN source_key text;
UPDATE resources SET source_key = source_id WHERE source_id IS NOT NULL;
CREATE UNIQUE INDEX resources_source_key ON resources (publisher_id, connector, source_key)
    WHERE source_key IS NOT NULL;

-- Updates used to lose every identifier. A resource left without one is saved again in full
-- the next time it arrives (its identifiers with it), however unchanged it is.
UPDATE resources r SET content_hash = NULL
WHERE NOT EXISTS (SELECT 1 FROM resource_identifiers i WHERE i.resource_id = r.id);
