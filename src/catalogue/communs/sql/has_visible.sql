-- Whether an author already has a commun that a review let through.
SELECT EXISTS (SELECT 1 FROM communs WHERE author_id = $1 AND state = 'visible')
