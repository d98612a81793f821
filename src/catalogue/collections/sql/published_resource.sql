-- Whether a resource may enter a list: published, and visible outside its publisher.
SELECT EXISTS (SELECT 1 FROM visible_resources WHERE id = $1 AND status = 'published')
