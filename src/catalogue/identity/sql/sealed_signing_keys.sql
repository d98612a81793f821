SELECT kid, private_sealed FROM signing_keys WHERE private_sealed IS NOT NULL
