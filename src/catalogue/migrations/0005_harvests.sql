-- OAI-PMH sources declared by publishers, and every harvest run with its counts and errors.
CREATE TABLE harvest_sources (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    publisher_id     uuid NOT NULL REFERENCES publishers (id),
    base_url         text NOT NULL CHECK (base_url ~ '^https?://'),
    set_spec         text,
    metadata_prefix  text,
    every_minutes    integer NOT NULL DEFAULT 1440 CHECK (every_minutes BETWEEN 5 AND 44640),
    -- The start of the last successful run: the next one asks only for what changed since.
    harvested_until  timestamptz,
    -- The last resumption token received, so a run cut short resumes where it stopped.
    resume_token     text,
    enabled          boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (publisher_id, base_url, set_spec)
);

CREATE TABLE harvest_runs (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    source_id   uuid NOT NULL REFERENCES harvest_sources (id),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'failed')),
    pages       integer NOT NULL DEFAULT 0,
    created     integer NOT NULL DEFAULT 0,
    updated     integer NOT NULL DEFAULT 0,
    unchanged   integer NOT NULL DEFAULT 0,
    withdrawn   integer NOT NULL DEFAULT 0,
    rejected    integer NOT NULL DEFAULT 0,
    error       text,
    problems    jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX harvest_runs_source ON harvest_runs (source_id, started_at DESC);
