INSERT INTO lti_registration_tokens (token_hash, publisher_id, expires_at)
VALUES ($1, $2, now() + make_interval(secs => $3))
