-- Offers a publisher no longer gives ($1, locked): deleted when never sold, retired (kept,
-- off sale) when sold, so every acquisition keeps the offer and the price it was made at.
WITH gone AS (
    DELETE FROM offers o
    WHERE o.id = ANY($1::uuid[])
      AND NOT EXISTS (SELECT 1 FROM acquisitions a WHERE a.offer_id = o.id)
    RETURNING o.id
)
UPDATE offers SET status = 'retired', retired_at = now(), updated_at = now()
WHERE id = ANY($1::uuid[]) AND id NOT IN (SELECT id FROM gone)
