-- The per-record warnings of a harvest run, as an import report gives them for the same
-- notice: the OAI identifier of the record and the message. The first thousand are kept;
-- warning_count counts them all, so none is hidden without a word.
ALTER TABLE harvest_runs
    ADD COLUMN warnings      jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN warning_count integer NOT NULL DEFAULT 0;
