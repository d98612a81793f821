-- New resources of publisher $1 ($2: one JSON object per resource, by column, its id given)
-- with their identifiers ($3 resource ids, $4 kinds, $5 values) and offers ($6 resource ids,
-- $7 to $11 terms), in one statement: an import saves thousands, and each round trip counts.
-- An identifier another resource of the publisher already holds stays with it: each such one
-- comes back as a row (resource, kind, value, owner).
WITH created AS (
    INSERT INTO resources (
        id, publisher_id, status, title, description, keywords, languages, resource_types,
        pedagogical_types, audiences, levels, disciplines, accessibility, formats, rights,
        thumbnail_url, access_url, contributors, unknown_concepts, connector, source_id,
        harvested_at, content_hash, source_key, gar_referenced, gar_resource_id, published_at)
    SELECT r.id, $1, r.status, r.title, r.description, r.keywords, r.languages, r.resource_types,
        r.pedagogical_types, r.audiences, r.levels, r.disciplines, r.accessibility, r.formats,
        r.rights, r.thumbnail_url, r.access_url, r.contributors, r.unknown_concepts,
        r.connector, r.source_id, r.harvested_at, r.content_hash, r.source_key, r.gar_referenced,
        r.gar_resource_id,
        CASE WHEN r.status = 'published' THEN now() END
    FROM jsonb_populate_recordset(NULL::resources, $2::jsonb) AS r
),
given AS (
    SELECT DISTINCT resource_id, kind, value
    FROM unnest($3::uuid[], $4::text[], $5::text[]) AS t (resource_id, kind, value)
),
attached AS (
    INSERT INTO resource_identifiers (resource_id, publisher_id, kind, value)
    SELECT resource_id, $1, kind, value FROM given
    ON CONFLICT DO NOTHING
),
offered AS (
    INSERT INTO offers (resource_id, licence_type, unit_price_cents, duration, duration_months,
                        seats)
    SELECT * FROM unnest($6::uuid[], $7::text[], $8::bigint[], $9::text[], $10::int[], $11::int[])
)
SELECT g.resource_id, i.kind, i.value, i.resource_id AS owner
FROM given g
JOIN resource_identifiers i ON i.publisher_id = $1 AND i.kind = g.kind AND i.value = g.value
ORDER BY g.resource_id, i.kind, i.value
