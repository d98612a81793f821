-- What is left in a period's envelopes, and the leftover rule of each: the establishment's,
-- else the académie's, else the period's.
SELECT a.id, a.kind, a.owner, a.academie, a.establishment_uai, a.balance_cents,
       coalesce(CASE WHEN a.kind <> 'academie' THEN re.leftover END, ra.leftover, p.leftover)
           AS leftover
FROM accounts a
JOIN budget_periods p ON p.id = a.period_id
LEFT JOIN acquisition_rules re ON re.scope_kind = 'establishment' AND re.scope = a.establishment_uai
LEFT JOIN acquisition_rules ra ON ra.scope_kind = 'academie' AND ra.scope = a.academie
WHERE a.period_id = $1 AND a.kind IN ('academie', 'establishment', 'teacher') AND a.balance_cents > 0
ORDER BY a.id
FOR UPDATE OF a
