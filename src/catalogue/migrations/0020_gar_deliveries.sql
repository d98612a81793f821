-- GAR subscriptions ("abonnements"): which resources the GAR references, and the outbox of
-- subscription calls written in the transaction that moves the money, with the log of every
-- attempt to deliver them (the webhooks' shape, migration 0011).

-- The publisher's choice per resource: referenced in the GAR, under its ARK or under the
-- GAR resource id given here when it differs.
ALTER TABLE resources
    ADD COLUMN gar_referenced boolean NOT NULL DEFAULT false,
    ADD COLUMN gar_resource_id text
        CHECK (gar_resource_id IS NULL OR (gar_referenced AND length(gar_resource_id) <= 255));

-- One row per call to the GAR subscription service: PUT creates (a completed acquisition),
-- POST updates (a shortened validity), DELETE removes (a refund). `body` is the XML sent as
-- it is (none for a DELETE); `subscription_id` (idAbonnement) is stable per licence.
CREATE TABLE gar_deliveries (
    id              uuid PRIMARY KEY,
    licence_id      uuid NOT NULL REFERENCES licences (id),
    subscription_id text NOT NULL,
    method          text NOT NULL CHECK (method IN ('PUT', 'POST', 'DELETE')),
    body            text CHECK ((body IS NULL) = (method = 'DELETE')),
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    last_status     integer,
    last_error      text
);
CREATE INDEX gar_deliveries_due ON gar_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX gar_deliveries_licence ON gar_deliveries (licence_id, created_at);
CREATE INDEX gar_deliveries_created ON gar_deliveries (created_at DESC);

-- The delivery log: what each attempt got back (an HTTP status and the start of the
-- answer's body, or why there was no answer).
CREATE TABLE gar_attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES gar_deliveries (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    status_code integer,
    body        text,
    error       text,
    duration_ms integer NOT NULL CHECK (duration_ms >= 0)
);
CREATE INDEX gar_attempts_delivery ON gar_attempts (delivery_id, id);

-- When the GAR's expiry sweep saw a licence past its end: each subscription is updated at
-- most once when its licence ends, and the partial index keeps only the licences to watch.
ALTER TABLE licences ADD COLUMN gar_expiry_seen_at timestamptz;
CREATE INDEX licences_gar_expiry_watch ON licences (valid_until)
    WHERE valid_until IS NOT NULL AND gar_expiry_seen_at IS NULL;
