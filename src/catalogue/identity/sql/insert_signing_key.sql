INSERT INTO signing_keys (kid, private_jwk) VALUES ($1, $2)
