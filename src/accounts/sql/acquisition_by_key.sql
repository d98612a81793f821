SELECT id, request_hash, response_status, response
FROM acquisitions WHERE person_id = $1 AND idempotency_key = $2
