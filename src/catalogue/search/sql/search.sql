-- The rank, the conditions, the order, the facet columns and the facet counts are filled
-- from fixed fragments in pg.py (compose); every value is a parameter. $1 query groups
-- (jsonb, null without text), $2 limit, $3 offset, $4.. filter values. Only the facets asked
-- are counted. catalogue_tsquery() is immutable: planned as a constant, so the GIN index on
-- tsv serves the match. Display fields and snippets are read for the page's rows only, and
-- the page is a top-N sort of the matches.
WITH matched AS MATERIALIZED (
    SELECT d.id, d.ctid,
           {rank} AS rank,
           d.publisher_id, d.min_price_cents, d.free, d.published_at{facet_columns}
    FROM search_documents d
    WHERE {where}
),
-- The best candidates by the cheap rank are ranked again by cover density (ts_rank_cd);
-- the other matches follow in the cheap order. Other sorts have no candidates.
reranked AS (
    SELECT c.id, c.rank, c.publisher_id, c.min_price_cents, c.free, c.published_at,
           0 AS tier, {fine_rank} AS fine_rank
    FROM (SELECT m.id, m.ctid, m.rank, m.publisher_id, m.min_price_cents, m.free,
                 m.published_at
          FROM matched m ORDER BY {order} LIMIT {candidates}) c
    -- By ctid: the row versions this statement matched stay where they are until it ends.
    JOIN search_documents d ON d.ctid = c.ctid
    UNION ALL
    SELECT m.id, m.rank, m.publisher_id, m.min_price_cents, m.free, m.published_at,
           1 AS tier, 0 AS fine_rank
    FROM (SELECT m.id, m.rank, m.publisher_id, m.min_price_cents, m.free, m.published_at
          FROM matched m ORDER BY {order}
          LIMIT greatest($2::bigint + $3::bigint - {candidates}, 0) OFFSET {candidates}) m
),
page AS (
    SELECT m.* FROM reranked m
    ORDER BY m.tier, m.fine_rank DESC, {order}
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
        'thumbnail_url', s.thumbnail_url,
        'licence_types', (SELECT v.vals FROM search_documents sd
                          JOIN search_value_sets v ON v.id = sd.licence_types_set
                          WHERE sd.id = m.id)) ORDER BY m.tier, m.fine_rank DESC, {order}), '[]'::json)
     FROM page m JOIN search_display s USING (id)) AS hits,
    (SELECT coalesce(json_agg(json_build_array(facet, value, n)), '[]'::json)
     FROM facet_values) AS facets
