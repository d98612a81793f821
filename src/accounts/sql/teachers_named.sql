-- The teachers the lines of a file name ($1: person id or e-mail, $2: their UAI), in one
-- query; the index on people.establishment_uai keeps each line to its own school.
SELECT w.ref, w.uai, p.id, e.academie, p.deactivated_at IS NOT NULL AS deactivated,
       e.state AS establishment_state
FROM unnest($1::text[], $2::text[]) AS w (ref, uai)
JOIN people p ON p.establishment_uai = w.uai AND 'teacher' = ANY (p.roles)
             AND (p.id::text = w.ref OR lower(p.email) = lower(w.ref))
JOIN establishments e ON e.uai = p.establishment_uai
