-- Published resources of the demo catalogue whose title matches $1, for the demo's lists.
SELECT coalesce(array_agg(id ORDER BY title, id), '{}')
FROM (
    SELECT r.id, r.title
    FROM resources r
    JOIN visible_resources v ON v.id = r.id AND v.status = 'published'
    WHERE r.connector = 'demo' AND r.title ILIKE $1
    ORDER BY r.title, r.id
    LIMIT $2
) found
