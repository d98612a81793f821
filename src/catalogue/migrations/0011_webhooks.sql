-- Signed webhooks to publishers: one endpoint per publisher, an outbox of deliveries written
-- in the transaction that moves the money, and the log of every attempt to deliver them.

-- The signing secret is kept encrypted (AES-GCM under a key derived from the server secret,
-- the publisher id as associated data): a copy of the database alone cannot sign.
CREATE TABLE publisher_webhooks (
    publisher_id     uuid PRIMARY KEY REFERENCES publishers (id),
    url              text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    secret_encrypted bytea NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    rotated_at       timestamptz
);

-- One row per event to deliver. `payload` is the event as the publisher receives it.
CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    publisher_id    uuid NOT NULL REFERENCES publishers (id),
    event_type      text NOT NULL CHECK (event_type IN ('acquisition.completed',
                                                        'acquisition.refunded',
                                                        'licence.expired')),
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    last_status     integer,
    last_error      text
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_publisher ON webhook_deliveries (publisher_id, created_at DESC);

-- The delivery log: what each attempt got back (an HTTP status, or why there was none).
CREATE TABLE webhook_attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    status_code integer,
    error       text,
    duration_ms integer NOT NULL CHECK (duration_ms >= 0)
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- When the expiry sweep saw a licence past its end (whether or not its publisher had a
-- webhook then): each licence is announced at most once, and the partial index keeps only
-- the licences still to watch.
ALTER TABLE licences ADD COLUMN expiry_seen_at timestamptz;
CREATE INDEX licences_expiry_watch ON licences (valid_until)
    WHERE valid_until IS NOT NULL AND expiry_seen_at IS NULL;
