-- A search past $1 ms answers 503 (Retry-After) instead of holding a connection.
SELECT set_config('statement_timeout', $1, true)
