-- The establishment's and the académie's rules together: the stricter value wins.
SELECT min(approval_threshold_cents) AS approval_threshold_cents,
       min(max_per_acquisition_cents) AS max_per_acquisition_cents,
       coalesce(array_agg(DISTINCT t) FILTER (WHERE t IS NOT NULL), '{}') AS excluded_resource_types
FROM acquisition_rules
LEFT JOIN LATERAL unnest(excluded_resource_types) t ON true
WHERE (scope_kind = 'establishment' AND scope = $1) OR (scope_kind = 'academie' AND scope = $2)
