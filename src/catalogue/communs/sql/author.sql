-- Who publishes: their display name, establishment and académie (never logged, never stored
-- on a commun unless they chose to show their name).
SELECT p.id, p.display_name, p.establishment_uai, e.name AS establishment_name,
       coalesce(e.academie, p.academie) AS academie
FROM people p
LEFT JOIN establishments e ON e.uai = p.establishment_uai
WHERE p.id = $1
