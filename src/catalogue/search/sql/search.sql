-- {rank}, {where}, {order}, {facet_columns} and {facets} are filled from fixed fragments in
-- pg.py; every value is a parameter. $1 query groups (jsonb, null without text), $2 limit,
-- $3 offset, $4.. filter values. Only the facets asked are counted. catalogue_tsquery() is immutable: planned as a constant, so the
-- GIN index on tsv serves the match.
WITH matched AS MATERIALIZED (
    SELECT d.id,
           {rank} AS rank,
           d.min_price_cents, d.published_at{facet_columns}
    FROM search_documents d
    WHERE {where}
),
page AS (
    SELECT m.id, row_number() OVER (ORDER BY {order}) AS page_order
    FROM matched m
    ORDER BY {order}
    LIMIT $2 OFFSET $3
),
facet_values AS (
    {facets}
)
SELECT
    (SELECT count(*) FROM matched) AS total,
    (SELECT coalesce(json_agg(json_build_object(
        'id', d.id, 'title', d.title,
        'snippet', CASE WHEN $1::jsonb IS NULL THEN left(d.description, 240)
                   ELSE ts_headline('catalogue_fr', d.description, catalogue_tsquery($1::jsonb),
                        'StartSel=' || chr(2) || ', StopSel=' || chr(3)
                        || ', MaxWords=35, MinWords=15, MaxFragments=1') END,
        'publisher_id', d.publisher_id, 'publisher_name', d.publisher_name,
        'levels_tagged', d.levels_tagged, 'disciplines_tagged', d.disciplines_tagged,
        'min_price_cents', d.min_price_cents, 'free', d.free,
        'thumbnail_url', d.thumbnail_url, 'licence_types', d.licence_types)
        ORDER BY page_order), '[]'::json)
     FROM page JOIN search_documents d USING (id)) AS hits,
    (SELECT coalesce(json_agg(json_build_array(facet, value, n)), '[]'::json)
     FROM (SELECT facet, value, count(*) AS n FROM facet_values GROUP BY facet, value) f
    ) AS facets
