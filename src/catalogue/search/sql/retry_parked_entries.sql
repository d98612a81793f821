-- Announced again: the next drain tries them once more (and parks them again if refused).
WITH retried AS (DELETE FROM search_outbox_parked RETURNING resource_id)
INSERT INTO search_outbox (resource_id) SELECT resource_id FROM retried
