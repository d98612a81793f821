-- Every searchable resource, for rebuilding the index: one statement read through a cursor,
-- its columns in the order of repository.SearchableResource's fields (checked).
SELECT id, title, description, keywords, publisher_id, publisher_name, thumbnail_url, levels,
       disciplines, resource_types, pedagogical_types, accessibility, languages, published_at,
       licence_types, min_price_cents, audiences, commun
FROM searchable_documents
