SELECT count(*) FROM acquisitions WHERE period_id = $1 AND status = 'pending_approval'
