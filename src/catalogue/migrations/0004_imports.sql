-- Every import keeps its report: counts, and one line per record with what became of it.
CREATE TABLE imports (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    publisher_id uuid NOT NULL REFERENCES publishers (id),
    connector    text NOT NULL,
    source       text NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz NOT NULL DEFAULT now(),
    created      integer NOT NULL,
    updated      integer NOT NULL,
    unchanged    integer NOT NULL,
    rejected     integer NOT NULL,
    items        jsonb NOT NULL
);
CREATE INDEX imports_publisher ON imports (publisher_id, started_at DESC);
