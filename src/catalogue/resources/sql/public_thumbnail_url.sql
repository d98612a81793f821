-- A published, visible resource's thumbnail address (what /vignettes needs of it, and no more).
SELECT v.thumbnail_url FROM visible_resources v WHERE v.id = $1 AND v.status = 'published'
