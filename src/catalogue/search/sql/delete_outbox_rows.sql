DELETE FROM search_outbox WHERE id = ANY($1::bigint[])
