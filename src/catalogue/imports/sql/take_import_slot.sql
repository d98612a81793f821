-- One of a publisher's concurrent import slots, held by this session until released.
SELECT pg_try_advisory_lock(hashtextextended('catalogue-import:' || $1::uuid::text || ':' || $2::int::text, 0))
