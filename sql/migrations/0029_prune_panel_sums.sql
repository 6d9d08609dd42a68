-- The panels' sums (0027) are read for the latest run only, but every run
-- kept its own for as long as the run row stays (two years of weekly
-- runs, 0017).  They now go when a run's per-account rows go: the run
-- loses its account partition, its learned probabilities (0028) and its
-- sums together, by the same pruning.
CREATE OR REPLACE FUNCTION crmx.drop_run_accounts(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t text;
BEGIN
    IF EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.status = 'running')
       OR run = (SELECT l.run_id FROM crmx.latest_run l) THEN
        RAISE EXCEPTION 'crmx.drop_run_accounts: run % is running or the latest', run;
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS crmx.%I', 'account_metrics_' || run);
    EXECUTE format('DROP TABLE IF EXISTS crmx.%I', 'deal_forecast_' || run);
    FOREACH t IN ARRAY ARRAY['pipeline_agg', 'closed_agg', 'region_agg', 'region_top'] LOOP
        EXECUTE format('DELETE FROM crmx.%I WHERE run_id = $1', t) USING run;
    END LOOP;
END $$;

-- The sums of runs already past that point (their account rows gone).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pipeline_agg', 'closed_agg', 'region_agg', 'region_top'] LOOP
        EXECUTE format('DELETE FROM crmx.%I x WHERE to_regclass(%L || x.run_id) IS NULL',
                       t, 'crmx.account_metrics_');
    END LOOP;
END $$;
