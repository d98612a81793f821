SELECT count(*) FROM gar_deliveries WHERE $1::text IS NULL OR status = $1
