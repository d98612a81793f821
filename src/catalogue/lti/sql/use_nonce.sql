INSERT INTO lti_nonces (client_id, nonce) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING nonce
