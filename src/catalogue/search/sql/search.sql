-- The rank, the conditions, the order, the facet columns and the facet counts are filled
-- from fixed fragments in pg.py (compose); every value is a parameter. $1 query groups
-- (jsonb, null without text), $2 limit, $3 offset, $4.. filter values. Only the facets asked
-- are counted. catalogue_tsquery() is immutable: planned as a constant, so the GIN index on
-- tsv serves the match. Display fields and snippets are read for the page's rows only, and
-- the page is a top-N sort of the matches.
WITH matched AS MATERIALIZED (
    SELECT d.id,
           {rank} AS rank,
           d.publisher_id, d.min_price_cents, d.free, d.published_at{facet_columns}
    FROM search_documents d
    WHERE {where}
),
page AS (
    SELECT m.id, m.rank, m.publisher_id, m.min_price_cents, m.free, m.published_at
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
        'id', m.id, 'title', s.title,
        'snippet', CASE WHEN $1::jsonb IS NULL THEN left(s.description, 240)
                   ELSE ts_headline('catalogue_fr', s.description, catalogue_tsquery($1::jsonb),
                        'StartSel=' || chr(2) || ', StopSel=' || chr(3)
                        || ', MaxWords=35, MinWords=15, MaxFragments=1') END,
        'publisher_id', m.publisher_id, 'publisher_name', s.publisher_name,
        'levels_tagged', s.levels_tagged, 'disciplines_tagged', s.disciplines_tagged,
        'min_price_cents', m.min_price_cents, 'free', m.free,
        'thumbnail_url', s.thumbnail_url) ORDER BY {order}), '[]'::json)
     FROM page m JOIN search_display s USING (id)) AS hits,
    (SELECT coalesce(json_agg(json_build_array(facet, value, n)), '[]'::json)
     FROM facet_values) AS facets
