-- {where} and {order} are filled from fixed fragments in pg.py; every value is a parameter.
-- $1 query groups (jsonb, null without text), $2 limit, $3 offset, $4 facet names,
-- $5.. filter values.
WITH query AS (
    SELECT catalogue_tsquery($1::jsonb) AS q
),
matched AS MATERIALIZED (
    SELECT d.id,
           CASE WHEN query.q IS NULL THEN 0 ELSE ts_rank_cd(d.tsv, query.q) END AS rank,
           d.min_price_cents, d.published_at, d.levels, d.disciplines, d.resource_types,
           d.pedagogical_types, d.licence_types, d.accessibility, d.languages,
           d.publisher_id, d.free
    FROM search_documents d, query
    WHERE {where}
),
page AS (
    SELECT m.id, row_number() OVER (ORDER BY {order}) AS page_order
    FROM matched m
    ORDER BY {order}
    LIMIT $2 OFFSET $3
),
facet_values AS (
    SELECT 'level' AS facet, v AS value FROM matched d,
        unnest(d.levels) v WHERE 'level' = ANY($4::text[])
    UNION ALL
    SELECT 'discipline', v FROM matched d,
        unnest(d.disciplines) v WHERE 'discipline' = ANY($4::text[])
    UNION ALL
    SELECT 'resource_type', v FROM matched d,
        unnest(d.resource_types) v WHERE 'resource_type' = ANY($4::text[])
    UNION ALL
    SELECT 'pedagogical_type', v FROM matched d,
        unnest(d.pedagogical_types) v WHERE 'pedagogical_type' = ANY($4::text[])
    UNION ALL
    SELECT 'licence_type', v FROM matched d,
        unnest(d.licence_types) v WHERE 'licence_type' = ANY($4::text[])
    UNION ALL
    SELECT 'accessibility', v FROM matched d,
        unnest(d.accessibility) v WHERE 'accessibility' = ANY($4::text[])
    UNION ALL
    SELECT 'language', v FROM matched d,
        unnest(d.languages) v WHERE 'language' = ANY($4::text[])
    UNION ALL
    SELECT 'publisher', d.publisher_id::text FROM matched d
        WHERE 'publisher' = ANY($4::text[])
    UNION ALL
    SELECT 'free', d.free::text FROM matched d
        WHERE 'free' = ANY($4::text[])
)
SELECT
    (SELECT count(*) FROM matched) AS total,
    (SELECT coalesce(json_agg(json_build_object(
        'id', d.id, 'title', d.title,
        'snippet', CASE WHEN query.q IS NULL THEN left(d.description, 240)
                   ELSE ts_headline('catalogue_fr', d.description, query.q,
                        'StartSel=' || chr(2) || ', StopSel=' || chr(3)
                        || ', MaxWords=35, MinWords=15, MaxFragments=1') END,
        'publisher_id', d.publisher_id, 'publisher_name', d.publisher_name,
        'levels_tagged', d.levels_tagged, 'disciplines_tagged', d.disciplines_tagged,
        'min_price_cents', d.min_price_cents, 'free', d.free,
        'thumbnail_url', d.thumbnail_url) ORDER BY page_order), '[]'::json)
     FROM page JOIN search_documents d USING (id), query) AS hits,
    (SELECT coalesce(json_agg(json_build_array(facet, value, n)), '[]'::json)
     FROM (SELECT facet, value, count(*) AS n FROM facet_values GROUP BY facet, value) f
    ) AS facets
