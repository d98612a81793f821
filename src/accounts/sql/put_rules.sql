INSERT INTO acquisition_rules (scope_kind, scope, approval_threshold_cents, max_per_acquisition_cents,
                               excluded_resource_types, leftover, envelope_on_move, updated_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (scope_kind, scope) DO UPDATE SET
    approval_threshold_cents = EXCLUDED.approval_threshold_cents,
    max_per_acquisition_cents = EXCLUDED.max_per_acquisition_cents,
    excluded_resource_types = EXCLUDED.excluded_resource_types,
    leftover = EXCLUDED.leftover,
    envelope_on_move = EXCLUDED.envelope_on_move,
    updated_by = EXCLUDED.updated_by,
    updated_at = now()
