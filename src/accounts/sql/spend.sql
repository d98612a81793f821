-- Completed acquisitions of a period grouped by {key} and {label} (fixed fragments from
-- reports.py),
-- within an optional académie ($2) and establishment ($3).
SELECT {key} AS key, {label} AS label, count(*) AS acquisitions, sum(a.total_cents)::bigint AS amount_cents
FROM acquisitions a
JOIN resources r ON r.id = a.resource_id
JOIN publishers p ON p.id = a.publisher_id
{join}
WHERE a.period_id = $1 AND a.status = 'completed'
  AND ($2::text IS NULL OR a.academie = $2)
  AND ($3::text IS NULL OR a.establishment_uai = $3)
GROUP BY 1, 2
ORDER BY 4 DESC, 1
