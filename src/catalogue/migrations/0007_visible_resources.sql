-- One definition of who may see a resource outside its publisher, used by search and OAI-PMH:
-- an approved publisher's, or one approved on its own while its publisher is under review.
CREATE VIEW visible_resources AS
SELECT r.*, p.name AS publisher_name
FROM resources r
JOIN publishers p ON p.id = r.publisher_id
WHERE p.status = 'approved' OR (p.status = 'pending' AND r.approved_at IS NOT NULL);

-- What the search index needs of a searchable (visible and published) resource.
CREATE VIEW searchable_documents AS
SELECT v.id, v.title, v.description, v.keywords, v.publisher_id, v.publisher_name,
       v.thumbnail_url, v.levels, v.disciplines, v.resource_types, v.pedagogical_types,
       v.accessibility, v.languages, v.published_at,
       coalesce(o.licence_types, '{}') AS licence_types,
       coalesce(o.min_price, 0) AS min_price_cents
FROM visible_resources v
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT licence_type) AS licence_types, min(unit_price_cents) AS min_price
    FROM offers WHERE resource_id = v.id AND status = 'published'
) o ON true
WHERE v.status = 'published';
