-- Establishments whose name, commune, postal code or UAI contain the words ($1, a LIKE
-- pattern over search_text), or the one with that UAI ($2): that one first, then the open
-- ones, by name.
SELECT uai, name, academie, kind, sector, postal_code, commune, state
FROM establishments
WHERE uai = $2 OR search_text LIKE $1
ORDER BY uai = $2 DESC, state = 'closed', name, uai
LIMIT $3
