-- The directory of establishments, from the ministry's open dataset "Annuaire de l'éducation"
-- (`catalogue directory establishments`): what an administrator needs to find and choose one.
-- Establishments first met at a sign-in keep these empty until the dataset names them.
ALTER TABLE establishments
    ADD COLUMN kind          text,
    ADD COLUMN sector        text,
    ADD COLUMN postal_code   text,
    ADD COLUMN commune       text,
    ADD COLUMN departement   text,
    ADD COLUMN academie_code text,
    ADD COLUMN region        text,
    ADD COLUMN state         text NOT NULL DEFAULT 'open'
        CHECK (state IN ('open', 'opening', 'closing', 'closed')),
    -- Name, commune, postal code and UAI, lower case and without accents: what a search
    -- matches (66,000 rows: a scan answers in milliseconds).
    ADD COLUMN search_text   text NOT NULL DEFAULT '',
    -- When the dataset last described it (null: never, only met at a sign-in).
    ADD COLUMN listed_at     timestamptz;
UPDATE establishments SET search_text = lower(name || ' ' || uai);
