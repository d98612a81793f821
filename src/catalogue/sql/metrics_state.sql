-- What operators watch, in one row: each column becomes catalogue_state{measure="..."}.
WITH ledger AS (
    SELECT coalesce(sum(balance_cents), 0) AS total,
           count(*) FILTER (WHERE kind <> 'funding' AND balance_cents < 0) AS negative
    FROM accounts
)
SELECT
    -- pgqueuer's own table: jobs waiting (due or retrying later) and jobs being worked on.
    (SELECT count(*) FROM pgqueuer WHERE status = 'queued') AS queue_jobs_queued,
    (SELECT count(*) FROM pgqueuer WHERE status = 'picked') AS queue_jobs_picked,
    (SELECT coalesce(extract(epoch FROM now() - min(created)), 0)
     FROM pgqueuer WHERE status = 'queued' AND execute_after <= now()) AS queue_oldest_due_seconds,
    (SELECT count(*) FROM search_outbox) AS search_outbox_pending,
    (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM search_outbox)
        AS search_outbox_lag_seconds,
    -- Changes the index refused, set apart with their error (catalogue index status).
    (SELECT count(*) FROM search_outbox_parked) AS search_outbox_parked,
    (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS webhook_deliveries_pending,
    (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed') AS webhook_deliveries_failed,
    -- GAR subscription calls: waiting (or being retried), given up, sent.
    (SELECT count(*) FROM gar_deliveries WHERE status = 'pending') AS gar_deliveries_pending,
    (SELECT count(*) FROM gar_deliveries WHERE status = 'failed') AS gar_deliveries_failed,
    (SELECT count(*) FROM gar_deliveries WHERE status = 'delivered') AS gar_deliveries_sent,
    (SELECT count(*) FROM harvest_runs WHERE status = 'running') AS harvest_runs_running,
    (SELECT count(*) FROM harvest_runs WHERE status = 'succeeded') AS harvest_runs_succeeded,
    (SELECT count(*) FROM harvest_runs WHERE status = 'failed') AS harvest_runs_failed,
    (SELECT count(*) FROM acquisitions WHERE status = 'pending_approval')
        AS acquisitions_pending_approval,
    ledger.total AS ledger_balance_sum_cents,
    ledger.negative AS ledger_negative_accounts,
    (ledger.total = 0 AND ledger.negative = 0)::int AS ledger_invariants_hold
FROM ledger
