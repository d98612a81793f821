-- An event for a publisher, only when it has a webhook: $1 delivery id, $2 publisher id,
-- $3 event type, $4 payload, $5 created at (due at once).
INSERT INTO webhook_deliveries (id, publisher_id, event_type, payload, created_at, next_attempt_at)
SELECT $1, w.publisher_id, $3, $4, $5, $5
FROM publisher_webhooks w
WHERE w.publisher_id = $2
RETURNING id
