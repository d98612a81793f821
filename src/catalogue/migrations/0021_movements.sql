-- Mobility and departures in the ledger (issue 18): a person moves to another establishment
-- or leaves; every movement of their money is a transfer with its reason, and the moves
-- themselves are kept (what a person downloads of their own data, what an administrator reads).

-- When a person was deactivated (they left), and when their name and e-mail were erased after
-- the retention period (CATALOGUE_RETENTION_DAYS). The SCIM migration adds deactivated_at the
-- same way: whichever runs first creates it.
ALTER TABLE people ADD COLUMN IF NOT EXISTS deactivated_at timestamptz;
ALTER TABLE people ADD COLUMN IF NOT EXISTS erased_at timestamptz;
CREATE INDEX IF NOT EXISTS people_to_erase ON people (deactivated_at)
    WHERE deactivated_at IS NOT NULL AND erased_at IS NULL;

-- Two kinds of transfer more, and the reason an administrator (or the directory) gave.
-- Adding a column and swapping a CHECK fire no row trigger: transfers stay immutable.
ALTER TABLE transfers ADD COLUMN reason text CHECK (length(reason) <= 500);
ALTER TABLE transfers DROP CONSTRAINT transfers_kind_check;
ALTER TABLE transfers ADD CONSTRAINT transfers_kind_check
    CHECK (kind IN ('allocation', 'purchase', 'hold', 'capture', 'release', 'cancellation',
                    'refund', 'expiry', 'carry_over', 'mobility', 'departure'));

-- An académie's rule for a teacher who moves to another establishment of the same académie:
-- their unspent envelope returns to the old establishment (NULL or 'return', the default) or
-- follows them ('follow'). Set on académies only; across académies it always returns.
ALTER TABLE acquisition_rules
    ADD COLUMN envelope_on_move text CHECK (envelope_on_move IN ('return', 'follow'));

-- Each move and departure of a person, as it happened.
CREATE TABLE person_movements (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id  uuid NOT NULL REFERENCES people (id),
    kind       text NOT NULL CHECK (kind IN ('move', 'departure')),
    from_uai   text,
    to_uai     text,
    envelope   text NOT NULL CHECK (envelope IN ('returned', 'followed', 'empty')),
    reason     text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    moved_by   uuid,
    moved_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_movements_person ON person_movements (person_id, id);
CREATE INDEX person_movements_from ON person_movements (from_uai, id);
CREATE INDEX person_movements_to ON person_movements (to_uai, id);
