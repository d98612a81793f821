SELECT a.id, a.person_id, a.period_id, a.offer_id, a.resource_id, a.publisher_id,
       a.establishment_uai, a.academie, a.quantity, a.unit_price_cents, a.total_cents, a.status,
       a.created_at, a.completed_at, r.title, o.licence_type, o.duration, o.duration_months,
       o.seats, p.ends_on, p.status AS period_status,
       CASE WHEN r.gar_referenced THEN coalesce(r.gar_resource_id, (
           SELECT min(i.value) FROM resource_identifiers i
           WHERE i.resource_id = r.id AND i.kind = 'ark')) END AS gar_id
FROM acquisitions a
JOIN offers o ON o.id = a.offer_id
JOIN resources r ON r.id = a.resource_id
JOIN budget_periods p ON p.id = a.period_id
WHERE a.id = $1
FOR UPDATE OF a
