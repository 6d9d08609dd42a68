-- A run's small tables (owner metrics, forecast, concentration, funnel,
-- win rates, cohorts) are kept for two years, so that forecast accuracy
-- and trends can be measured against what each run recorded; only the
-- large per-account partition of a run goes once the run is no longer
-- among the newest reportd keeps whole (reportd/engine/store.c).  The
-- run stays in crmx.run, so crmx.drop_run_partition() (0016), which drops
-- only a deleted run's partition, cannot do it: this one drops the
-- partition of a kept run, never the latest complete run's (the one the
-- panels read) nor a running one's.  As 0016, it runs as the schema's
-- owner and may be called only by the roles granted EXECUTE.

CREATE FUNCTION crmx.drop_run_accounts(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.status = 'running')
       OR run = (SELECT l.run_id FROM crmx.latest_run l) THEN
        RAISE EXCEPTION 'crmx.drop_run_accounts: run % is running or the latest', run;
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS crmx.%I', 'account_metrics_' || run);
END $$;

REVOKE ALL ON FUNCTION crmx.drop_run_accounts(bigint) FROM PUBLIC;
