-- The offers on sale of a resource, locked: a purchase of one of them waits for the change
-- (its foreign key check), and the change sees every purchase committed before it.
SELECT id, licence_type, unit_price_cents, duration, duration_months, seats
FROM offers
WHERE resource_id = $1 AND status = 'published'
ORDER BY created_at, id
FOR UPDATE
