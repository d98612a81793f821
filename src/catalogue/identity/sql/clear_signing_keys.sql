-- Private keys written in clear before they were sealed (migration 0017).
SELECT kid, private_jwk FROM signing_keys WHERE private_jwk IS NOT NULL
