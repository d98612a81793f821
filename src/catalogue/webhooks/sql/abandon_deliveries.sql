-- A removed webhook's pending deliveries fail: there is nowhere left to send them.
UPDATE webhook_deliveries
SET status = 'failed', last_error = $2
WHERE publisher_id = $1 AND status = 'pending'
