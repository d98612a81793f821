UPDATE resources SET
    status = $2, title = $3, description = $4, keywords = $5, languages = $6,
    resource_types = $7, pedagogical_types = $8, audiences = $9, levels = $10,
    disciplines = $11, accessibility = $12, formats = $13, rights = $14, thumbnail_url = $15,
    access_url = $16, contributors = $17, unknown_concepts = $18, connector = $19,
    source_id = $20, harvested_at = $21, content_hash = $22, source_key = $23,
    gar_referenced = $24, gar_resource_id = $25,
    updated_at = now(),
    published_at = CASE WHEN $2 = 'published' THEN coalesce(published_at, now()) END
WHERE id = $1 AND content_hash IS DISTINCT FROM $22
RETURNING id
