-- One creation at a time per person, so that the count of their lists holds until commit.
SELECT pg_advisory_xact_lock(hashtextextended('collections:' || $1::uuid::text, 0))
