UPDATE people SET deactivated_at = now() WHERE id = $1 AND deactivated_at IS NULL
