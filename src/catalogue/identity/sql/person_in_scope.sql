-- $2: sees everyone (national); $3: the caller; $4: the caller's UAI; $5: the caller's académie.
SELECT id, display_name, roles, establishment_uai, academie
FROM people
WHERE id = $1
  AND ($2 OR id = $3 OR establishment_uai = $4 OR academie = $5)
