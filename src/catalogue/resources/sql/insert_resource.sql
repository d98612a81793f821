INSERT INTO resources (
    publisher_id, status, title, description, keywords, languages, resource_types,
    pedagogical_types, audiences, levels, disciplines, accessibility, formats, rights,
    thumbnail_url, access_url, contributors, unknown_concepts, connector, source_id,
    harvested_at, content_hash, source_key, published_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
        $20, $21, $22, $23, CASE WHEN $2 = 'published' THEN now() END)
RETURNING id
