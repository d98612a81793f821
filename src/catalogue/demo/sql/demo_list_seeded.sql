-- Whether the demo teacher ($1) has the sample list titled $2 (seeded at an earlier start).
SELECT EXISTS (SELECT 1 FROM collections WHERE owner_id = $1 AND title = $2)
