-- The names a commun credits, as its resource carries them (already chosen at publication).
SELECT coalesce(array_agg(x ->> 'name' ORDER BY n) FILTER (WHERE x ->> 'role' = 'author'), '{}')
FROM resources r, jsonb_array_elements(r.contributors) WITH ORDINALITY AS c (x, n)
WHERE r.id = $1
