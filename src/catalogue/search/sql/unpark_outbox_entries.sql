DELETE FROM search_outbox_parked WHERE resource_id = ANY($1::uuid[])
