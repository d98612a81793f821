-- Everything an acquisition decides on, in one round trip: the buyer's establishment, the open
-- period, the offer and whether it is on sale, the stricter of the establishment's and the
-- académie's rules, and the accounts the money would move between (NULL: not opened yet).
-- `webhook`: whether the publisher wants to hear of the acquisition (insert_purchase.sql);
-- `deactivated`: the buyer left (their rights may still be cached for a few seconds).
-- `gar_id`: the resource's GAR id (its own, else its ARK) when it is GAR-referenced.
-- $1 UAI, $2 person id, $3 offer id, $4 the publisher account's shard.
WITH buyer AS (
    SELECT uai, academie FROM establishments WHERE uai = $1
),
period AS (
    SELECT id, ends_on FROM budget_periods
    WHERE status = 'open' AND current_date BETWEEN starts_on AND ends_on
)
SELECT b.uai, b.academie, per.id AS period_id, per.ends_on,
       o.id AS offer_id, o.licence_type, o.unit_price_cents, o.duration, o.duration_months,
       o.seats, r.id AS resource_id, r.title, r.resource_types, r.publisher_id,
       CASE WHEN r.gar_referenced THEN coalesce(r.gar_resource_id, (
           SELECT min(i.value) FROM resource_identifiers i
           WHERE i.resource_id = r.id AND i.kind = 'ark')) END AS gar_id,
       (o.status = 'published' AND r.status = 'published'
        AND EXISTS (SELECT 1 FROM visible_resources v WHERE v.id = r.id)) AS on_sale,
       rules.approval_threshold_cents, rules.max_per_acquisition_cents,
       rules.excluded_resource_types,
       (SELECT id FROM accounts
        WHERE period_id = per.id AND kind = 'teacher' AND owner = $2::uuid::text) AS teacher_account,
       (SELECT id FROM accounts
        WHERE period_id = per.id AND kind = 'publisher'
          AND owner = r.publisher_id::text || ':' || $4::int) AS publisher_account,
       (SELECT id FROM accounts
        WHERE period_id = per.id AND kind = 'held' AND owner = b.uai) AS held_account,
       EXISTS (SELECT 1 FROM publisher_webhooks w WHERE w.publisher_id = r.publisher_id)
           AS webhook,
       coalesce((SELECT deactivated_at IS NOT NULL FROM people WHERE id = $2::uuid), false)
           AS deactivated
FROM buyer b
LEFT JOIN period per ON true
LEFT JOIN offers o ON o.id = $3
LEFT JOIN resources r ON r.id = o.resource_id
CROSS JOIN LATERAL (
    SELECT min(approval_threshold_cents) AS approval_threshold_cents,
           min(max_per_acquisition_cents) AS max_per_acquisition_cents,
           coalesce(array_agg(DISTINCT t) FILTER (WHERE t IS NOT NULL), '{}')
               AS excluded_resource_types
    FROM acquisition_rules
    LEFT JOIN LATERAL unnest(excluded_resource_types) t ON true
    WHERE (scope_kind = 'establishment' AND scope = b.uai)
       OR (scope_kind = 'academie' AND scope = b.academie)
) rules
