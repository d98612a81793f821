UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL
