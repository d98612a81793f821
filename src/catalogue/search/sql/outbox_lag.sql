SELECT count(*) AS pending, min(created_at) AS oldest,
       (SELECT count(*) FROM search_outbox_parked) AS parked
FROM search_outbox
