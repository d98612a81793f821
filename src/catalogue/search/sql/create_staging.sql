CREATE TEMPORARY TABLE staging_documents (
    id uuid, title text, description text, publisher_id uuid, publisher_name text,
    thumbnail_url text, levels_tagged text[], disciplines_tagged text[],
    levels_set uuid, disciplines_set uuid, resource_types_set uuid, pedagogical_types_set uuid,
    licence_types_set uuid, accessibility_set uuid, languages_set uuid, audiences_set uuid,
    min_price_cents bigint, free boolean, commun boolean, published_at timestamptz,
    title_words text, subject_words text, description_words text
) ON COMMIT DROP;
CREATE TEMPORARY TABLE staging_value_sets (id uuid, vals text[]) ON COMMIT DROP;
