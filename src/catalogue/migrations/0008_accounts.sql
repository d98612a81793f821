-- The compte ressource: budget periods, a double-entry ledger, acquisitions and licences.
-- Money is integer euro cents. The database itself keeps the ledger's promises: transfers
-- are immutable, balances move only with a transfer (in the same statement), no account
-- but a period's funding source goes below zero, so the sum of all balances stays zero.

-- One school year by default; at most one period covers a given day.
CREATE TABLE budget_periods (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    starts_on  date NOT NULL,
    ends_on    date NOT NULL,
    leftover   text NOT NULL DEFAULT 'expire' CHECK (leftover IN ('expire', 'carry_over')),
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_at  timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on > starts_on),
    EXCLUDE USING gist (daterange(starts_on, ends_on, '[]') WITH &&)
);

-- funding (one per period, the only account allowed below zero) -> académie -> establishment
-- -> teacher; held: funds of requests waiting for approval, per establishment; publisher:
-- what publishers earned. `owner` is the académie code, UAI, person id or publisher id.
CREATE TABLE accounts (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period_id         uuid NOT NULL REFERENCES budget_periods (id),
    kind              text NOT NULL CHECK (kind IN ('funding', 'academie', 'establishment',
                                                    'teacher', 'held', 'publisher')),
    owner             text NOT NULL,
    academie          text,
    establishment_uai text,
    balance_cents     bigint NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (period_id, kind, owner),
    CONSTRAINT accounts_no_overdraft CHECK (kind = 'funding' OR balance_cents >= 0)
);
CREATE INDEX accounts_establishment ON accounts (establishment_uai, period_id);
CREATE INDEX accounts_academie ON accounts (academie, period_id);

CREATE TABLE transfers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period_id      uuid NOT NULL REFERENCES budget_periods (id),
    from_account   bigint NOT NULL REFERENCES accounts (id),
    to_account     bigint NOT NULL REFERENCES accounts (id),
    amount_cents   bigint NOT NULL CHECK (amount_cents > 0),
    kind           text NOT NULL CHECK (kind IN ('allocation', 'purchase', 'hold', 'capture',
                                                 'release', 'cancellation', 'refund', 'expiry',
                                                 'carry_over')),
    acquisition_id uuid,
    created_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (from_account <> to_account)
);
CREATE INDEX transfers_from ON transfers (from_account, id);
CREATE INDEX transfers_to ON transfers (to_account, id);
CREATE INDEX transfers_acquisition ON transfers (acquisition_id) WHERE acquisition_id IS NOT NULL;

CREATE FUNCTION refuse_transfer_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'transfers are immutable: record a new transfer instead'
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER transfers_immutable BEFORE UPDATE OR DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION refuse_transfer_change();
CREATE TRIGGER transfers_not_truncated BEFORE TRUNCATE ON transfers
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_transfer_change();

-- Moves the money of a new transfer. The two rows are locked in id order, so two transfers
-- between the same accounts in opposite directions cannot deadlock.
CREATE FUNCTION apply_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('catalogue.applying_transfer', 'on', true);
    UPDATE accounts SET balance_cents = balance_cents
        + CASE WHEN id = NEW.to_account THEN NEW.amount_cents ELSE -NEW.amount_cents END
    WHERE id = least(NEW.from_account, NEW.to_account);
    UPDATE accounts SET balance_cents = balance_cents
        + CASE WHEN id = NEW.to_account THEN NEW.amount_cents ELSE -NEW.amount_cents END
    WHERE id = greatest(NEW.from_account, NEW.to_account);
    PERFORM set_config('catalogue.applying_transfer', 'off', true);
    RETURN NULL;
END $$;

CREATE TRIGGER transfers_apply AFTER INSERT ON transfers
    FOR EACH ROW EXECUTE FUNCTION apply_transfer();

-- A balance is born at zero and changes only through apply_transfer().
CREATE FUNCTION guard_balance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.balance_cents <> 0 THEN
        RAISE EXCEPTION 'an account opens with a zero balance' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.balance_cents IS DISTINCT FROM OLD.balance_cents
       AND current_setting('catalogue.applying_transfer', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'a balance changes only with a transfer' USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'accounts are never deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER accounts_balance_guard BEFORE INSERT OR UPDATE OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION guard_balance();

-- Rules of an establishment or an académie; the stricter of the two applies.
CREATE TABLE acquisition_rules (
    scope_kind                text NOT NULL CHECK (scope_kind IN ('establishment', 'academie')),
    scope                     text NOT NULL,
    approval_threshold_cents  bigint CHECK (approval_threshold_cents > 0),
    max_per_acquisition_cents bigint CHECK (max_per_acquisition_cents > 0),
    excluded_resource_types   text[] NOT NULL DEFAULT '{}',
    leftover                  text CHECK (leftover IN ('expire', 'carry_over')),
    updated_by                uuid,
    updated_at                timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope_kind, scope)
);

-- One row per Idempotency-Key of a teacher: the request's hash and the first answer, written
-- in the transaction that moves the money, so a retry after a crash finds both or neither.
CREATE TABLE acquisitions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id         uuid NOT NULL REFERENCES people (id),
    idempotency_key   text NOT NULL,
    request_hash      bytea NOT NULL,
    period_id         uuid NOT NULL REFERENCES budget_periods (id),
    offer_id          uuid NOT NULL REFERENCES offers (id),
    resource_id       uuid NOT NULL REFERENCES resources (id),
    publisher_id      uuid NOT NULL REFERENCES publishers (id),
    establishment_uai text NOT NULL,
    academie          text NOT NULL,
    quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    unit_price_cents  bigint NOT NULL CHECK (unit_price_cents >= 0),
    total_cents       bigint NOT NULL CHECK (total_cents >= 0),
    status            text NOT NULL CHECK (status IN ('pending_approval', 'completed', 'rejected',
                                                      'cancelled', 'refunded')),
    response_status   integer NOT NULL,
    response          jsonb NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    decided_at        timestamptz,
    decided_by        uuid,
    UNIQUE (person_id, idempotency_key),
    CHECK (total_cents = unit_price_cents * quantity)
);
CREATE INDEX acquisitions_establishment ON acquisitions (establishment_uai, created_at);
CREATE INDEX acquisitions_publisher ON acquisitions (publisher_id, created_at);
CREATE INDEX acquisitions_pending ON acquisitions (period_id) WHERE status = 'pending_approval';

-- At most one licence per acquisition. The holder is the teacher's pseudonym for the
-- publisher, or the establishment's UAI for establishment licences.
CREATE TABLE licences (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    acquisition_id uuid NOT NULL UNIQUE REFERENCES acquisitions (id),
    person_id      uuid NOT NULL REFERENCES people (id),
    offer_id       uuid NOT NULL REFERENCES offers (id),
    resource_id    uuid NOT NULL REFERENCES resources (id),
    publisher_id   uuid NOT NULL REFERENCES publishers (id),
    holder_kind    text NOT NULL CHECK (holder_kind IN ('teacher', 'establishment')),
    holder         text NOT NULL,
    seats          integer NOT NULL CHECK (seats > 0),
    valid_from     timestamptz NOT NULL DEFAULT now(),
    valid_until    timestamptz,
    revoked_at     timestamptz
);
CREATE INDEX licences_person ON licences (person_id);
