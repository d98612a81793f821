"""Search: one backend contract, PostgreSQL full text (embedded default) and Meilisearch."""
