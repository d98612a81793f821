-- Offers are versioned. An offer that has been sold keeps its row, its terms and its price for
-- good: acquisitions and licences point at it. A publisher's change gives a new row; the old
-- one is retired (off sale, kept) when sold, deleted when nobody ever bought it.
ALTER TABLE offers DROP CONSTRAINT offers_status_check;
ALTER TABLE offers ADD CONSTRAINT offers_status_check
    CHECK (status IN ('published', 'withdrawn', 'retired'));
ALTER TABLE offers ADD COLUMN retired_at timestamptz;
ALTER TABLE offers ADD CONSTRAINT offers_retired_at
    CHECK ((status = 'retired') = (retired_at IS NOT NULL));

-- Whether an offer was sold, asked at every change of its resource.
CREATE INDEX acquisitions_offer ON acquisitions (offer_id);

-- The terms of an offer never change in place: a change is a new offer.
CREATE FUNCTION offer_terms_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.resource_id, NEW.licence_type, NEW.unit_price_cents, NEW.duration,
        NEW.duration_months, NEW.seats)
       IS DISTINCT FROM
       (OLD.resource_id, OLD.licence_type, OLD.unit_price_cents, OLD.duration,
        OLD.duration_months, OLD.seats) THEN
        RAISE EXCEPTION 'the terms of offer % cannot change: add a new offer', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER offers_terms_unchanged BEFORE UPDATE ON offers
    FOR EACH ROW EXECUTE FUNCTION offer_terms_unchanged();
