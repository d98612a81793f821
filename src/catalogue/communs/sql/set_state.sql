UPDATE communs SET state = $2, updated_at = now() WHERE resource_id = $1
