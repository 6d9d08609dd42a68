-- The accounts list read afresh at scale (issue 16): an executive's list
-- sorted by revenue, predicted LTV, last activity or name read every
-- account and every metrics row of the run and sorted them all for one
-- page.  With these, the first page is read in key order from an index
-- and stops after the page.  An index on the partitioned table is made
-- on each run's partition as crmx.add_run_partition (0016) creates it,
-- before the run's COPY fills it: the run pays for them once, the pages
-- on every read.
CREATE INDEX account_metrics_revenue_order ON crmx.account_metrics
    (run_id, revenue_window DESC NULLS LAST, account_id);
CREATE INDEX account_metrics_ltv_order ON crmx.account_metrics
    (run_id, ltv_pred DESC NULLS LAST, account_id);
CREATE INDEX account_metrics_activity_order ON crmx.account_metrics
    (run_id, last_activity DESC NULLS LAST, account_id);
CREATE INDEX accounts_name_order ON crmx_native.accounts (name, account_id);

-- A run's partition is read by the panels as soon as the run commits;
-- until autovacuum gets to it, its statistics are missing and the lists
-- above were planned blind (a bitmap scan of the wrong index).  reportd
-- calls this after its COPY, in the run's transaction; ANALYZE needs the
-- partition's owner, hence SECURITY DEFINER, as in 0016.
CREATE FUNCTION crmx.analyze_run_partition(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run) THEN
        RAISE EXCEPTION 'crmx.analyze_run_partition: no run %', run;
    END IF;
    EXECUTE format('ANALYZE crmx.%I', 'account_metrics_' || run);
END $$;

REVOKE ALL ON FUNCTION crmx.analyze_run_partition(bigint) FROM PUBLIC;
