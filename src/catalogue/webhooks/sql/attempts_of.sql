SELECT delivery_id, at, status_code, error, duration_ms
FROM webhook_attempts
WHERE delivery_id = ANY($1::uuid[])
ORDER BY delivery_id, id
