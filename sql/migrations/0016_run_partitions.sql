-- A run's partition of crmx.account_metrics (0006) made and dropped by
-- the schema's owner on reportd's behalf.  Attaching a partition needs
-- ownership of the partitioned table, which the role `crmx-admin roles`
-- gives crmx-reportd does not have: it may only add rows to crmx's
-- tables.  These two functions run as their owner (the role that runs
-- the migrations), do that one thing for a run that is (or, to drop, no
-- longer is) in crmx.run, and may be called only by the roles granted
-- EXECUTE.  reportd writes the rows through crmx.account_metrics itself,
-- so it needs no right on the partitions.

CREATE FUNCTION crmx.add_run_partition(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run) THEN
        RAISE EXCEPTION 'crmx.add_run_partition: no run %', run;
    END IF;
    EXECUTE format('CREATE TABLE crmx.%I PARTITION OF crmx.account_metrics FOR VALUES IN (%L)',
                   'account_metrics_' || run, run);
END $$;

CREATE FUNCTION crmx.drop_run_partition(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run) THEN
        RAISE EXCEPTION 'crmx.drop_run_partition: run % is still kept', run;
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS crmx.%I', 'account_metrics_' || run);
END $$;

REVOKE ALL ON FUNCTION crmx.add_run_partition(bigint), crmx.drop_run_partition(bigint) FROM PUBLIC;
