-- The people the lines of a moves file name ($1: person id or e-mail, $2: their current UAI).
SELECT w.ref, w.uai, p.id
FROM unnest($1::text[], $2::text[]) AS w (ref, uai)
JOIN people p ON p.establishment_uai = w.uai
             AND (p.id::text = w.ref OR lower(p.email) = lower(w.ref))
