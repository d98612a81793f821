-- Whether the demo teacher's sample lists are there (seeded at an earlier start).
SELECT EXISTS (SELECT 1 FROM collections WHERE owner_id = $1 AND title = $2)
