-- Single use: the publisher the token was issued to, or nothing.
UPDATE lti_registration_tokens SET used_at = now()
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
RETURNING publisher_id
