SELECT delivery_id, at, status_code, body, error, duration_ms
FROM gar_attempts
WHERE delivery_id = ANY($1::uuid[])
ORDER BY delivery_id, id
