UPDATE licences SET revoked_at = now() WHERE acquisition_id = $1 AND revoked_at IS NULL
RETURNING id, holder_kind, holder, seats, valid_from, valid_until
