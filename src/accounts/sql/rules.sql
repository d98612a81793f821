SELECT approval_threshold_cents, max_per_acquisition_cents, excluded_resource_types, leftover,
       envelope_on_move
FROM acquisition_rules WHERE scope_kind = $1 AND scope = $2
