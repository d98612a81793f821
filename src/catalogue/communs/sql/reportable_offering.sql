-- A publisher's resource anyone signed in may report: visible and published, not a commun.
SELECT EXISTS (
    SELECT 1 FROM visible_resources v
    WHERE v.id = $1 AND v.status = 'published' AND v.connector <> 'commun'
)
