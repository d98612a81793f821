-- A new resource with its identifiers ($26 kinds, $27 values) and offers ($28 to $32), in one
-- statement: an import saves thousands, and each round trip counts. An identifier another
-- resource of the publisher already holds stays with it: each such one comes back as a row
-- (kind, value, owner) beside the new id; none gives one row with nulls.
WITH created AS (
    INSERT INTO resources (
        publisher_id, status, title, description, keywords, languages, resource_types,
        pedagogical_types, audiences, levels, disciplines, accessibility, formats, rights,
        thumbnail_url, access_url, contributors, unknown_concepts, connector, source_id,
        harvested_at, content_hash, source_key, gar_referenced, gar_resource_id, published_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
            $19, $20, $21, $22, $23, $24, $25, CASE WHEN $2 = 'published' THEN now() END)
    RETURNING id
),
given AS (
    SELECT DISTINCT kind, value FROM unnest($26::text[], $27::text[]) AS t (kind, value)
),
attached AS (
    INSERT INTO resource_identifiers (resource_id, publisher_id, kind, value)
    SELECT created.id, $1, given.kind, given.value FROM created, given
    ON CONFLICT DO NOTHING
),
offered AS (
    INSERT INTO offers (resource_id, licence_type, unit_price_cents, duration, duration_months,
                        seats)
    SELECT created.id, t.*
    FROM created, unnest($28::text[], $29::bigint[], $30::text[], $31::int[], $32::int[]) AS t
)
SELECT created.id, held.kind, held.value, held.resource_id AS owner
FROM created
LEFT JOIN (
    SELECT i.kind, i.value, i.resource_id
    FROM given g
    JOIN resource_identifiers i ON i.publisher_id = $1 AND i.kind = g.kind AND i.value = g.value
) held ON true
ORDER BY held.kind, held.value
