-- A moved teacher's accounts of the open periods now belong to their new establishment (who
-- funds them and sees them); no balance changes here. $1 person id as text, $2 UAI, $3 académie.
UPDATE accounts a SET establishment_uai = $2, academie = $3
FROM budget_periods p
WHERE p.id = a.period_id AND p.status = 'open' AND a.kind = 'teacher' AND a.owner = $1
