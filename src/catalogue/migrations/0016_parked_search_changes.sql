-- Changes the search index refused (a document the engine cannot take): set apart with the
-- error so that the rest of the queue goes on. One row per resource, the latest error; the
-- row goes when the resource is indexed (or removed from the index) at a later change.
CREATE TABLE search_outbox_parked (
    resource_id uuid PRIMARY KEY,
    error       text NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now()
);
