-- Its items, follows and features go with it (cascade).
DELETE FROM collections WHERE id = $1
