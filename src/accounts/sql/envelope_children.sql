-- The child envelopes of an establishment (its teachers) or of an académie (its
-- establishments) in a period: balance, what was allocated to them and what they spent.
-- $1 period, $2 child kind ('teacher' or 'establishment'), $3 UAI or académie.
SELECT a.owner,
       coalesce(nullif(p.display_name, ''), e.name, a.owner) AS name,
       a.balance_cents,
       coalesce((SELECT sum(amount_cents) FROM transfers
                 WHERE to_account = a.id AND kind = 'allocation'), 0)::bigint AS allocated_cents,
       coalesce((SELECT sum(total_cents) FROM acquisitions q
                 WHERE q.period_id = $1 AND q.status = 'completed'
                   AND (CASE WHEN $2 = 'teacher' THEN q.person_id::text = a.owner
                             ELSE q.establishment_uai = a.owner END)), 0)::bigint AS spent_cents
FROM accounts a
LEFT JOIN people p ON $2 = 'teacher' AND p.id::text = a.owner
LEFT JOIN establishments e ON $2 = 'establishment' AND e.uai = a.owner
WHERE a.period_id = $1 AND a.kind = $2
  AND (CASE WHEN $2 = 'teacher' THEN a.establishment_uai ELSE a.academie END) = $3
ORDER BY name, a.owner
