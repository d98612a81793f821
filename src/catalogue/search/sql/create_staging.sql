CREATE TEMPORARY TABLE staging_documents (
    id uuid, title text, description text, publisher_id uuid, publisher_name text,
    thumbnail_url text, levels text[], disciplines text[], resource_types text[],
    pedagogical_types text[], levels_tagged text[], disciplines_tagged text[],
    licence_types text[], accessibility text[], languages text[], min_price_cents bigint,
    free boolean, published_at timestamptz,
    title_words text, subject_words text, description_words text
) ON COMMIT DROP
