-- Taken for the transaction; a second request with the same key meanwhile is told 409.
SELECT pg_try_advisory_xact_lock(hashtextextended($1::uuid::text || ':' || $2, 0))
