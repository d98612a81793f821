SELECT pg_advisory_unlock(hashtextextended('catalogue-import:' || $1::uuid::text || ':' || $2::int::text, 0))
