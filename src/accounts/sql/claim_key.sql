-- Takes the key for this transaction (a second request with it meanwhile is told 409) and
-- reads the first answer given to it, if any. Should that answer commit between this
-- statement's snapshot and the lock, the unique key refuses the duplicate and the caller
-- runs again.
SELECT pg_try_advisory_xact_lock(hashtextextended($1::uuid::text || ':' || $2, 0)) AS locked,
       a.request_hash, a.response_status, a.response
FROM (VALUES (1)) AS one (x)
LEFT JOIN acquisitions a ON a.person_id = $1 AND a.idempotency_key = $2
