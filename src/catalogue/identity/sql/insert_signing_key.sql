INSERT INTO signing_keys (kid, public_jwk, private_sealed) VALUES ($1, $2, $3)
