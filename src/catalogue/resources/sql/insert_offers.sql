INSERT INTO offers (resource_id, licence_type, unit_price_cents, duration, duration_months, seats)
SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::int[], $6::int[])
