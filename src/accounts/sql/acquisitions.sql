-- Acquisitions with their licence, newest first; every filter is optional.
SELECT a.id, a.status, a.offer_id, a.resource_id, r.title AS resource_title, a.publisher_id,
       a.establishment_uai, a.quantity, a.unit_price_cents, a.total_cents, a.created_at,
       l.id AS licence_id, l.holder_kind, l.holder, l.seats, l.valid_from, l.valid_until,
       l.revoked_at
FROM acquisitions a
JOIN resources r ON r.id = a.resource_id
LEFT JOIN licences l ON l.acquisition_id = a.id
WHERE ($1::uuid IS NULL OR a.id = $1)
  AND ($2::uuid IS NULL OR a.person_id = $2)
  AND ($3::text IS NULL OR a.establishment_uai = $3)
  AND ($4::text IS NULL OR a.academie = $4)
  AND ($5::text IS NULL OR a.status = $5)
ORDER BY a.created_at DESC, a.id
LIMIT $6
