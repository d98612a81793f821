UPDATE licences SET revoked_at = now() WHERE acquisition_id = $1 AND revoked_at IS NULL
