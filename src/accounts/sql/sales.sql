SELECT a.id AS acquisition_id, a.created_at, a.resource_id, r.title AS resource_title, a.offer_id,
       o.licence_type, a.quantity, a.total_cents, a.status, l.holder
FROM acquisitions a
JOIN resources r ON r.id = a.resource_id
JOIN offers o ON o.id = a.offer_id
LEFT JOIN licences l ON l.acquisition_id = a.id
WHERE a.publisher_id = $1 AND a.status IN ('completed', 'refunded')
ORDER BY a.created_at DESC, a.id
LIMIT $2
