UPDATE signing_keys SET private_sealed = $2, private_jwk = NULL WHERE kid = $1
