-- A run's partition indexed without its constant run_id (issue 16, a run
-- within 2x the COPY of what it reads).  0025's three orders of the
-- accounts lists and 0032's three by owner began with run_id, the same
-- value on every row of a partition.  Building an index sorts its rows,
-- and PostgreSQL abbreviates only the first key to compare them quickly:
-- with run_id first every comparison fell through to the full keys (a
-- numeric, a double, a timestamp).  At 10^6 accounts the six indexes took
-- 17.7-20.8 s to build, one process, and 10.3-11.6 s without run_id
-- (measured side by side on a copy of a run's rows).  That build is the
-- longest part of a run's store.
--
-- A page reads one run's partition (the latest run's id given), in the
-- order of one of these indexes: the partition's own index serves it as
-- well, its run_id a condition every row meets.  So the orders become
-- indexes of each partition (no longer of the partitioned table), built
-- by crmx.attach_run_partition with the others before the partition is
-- attached.  0032's three by owner go the same way for the partitions to
-- come; the partitions there are get the orders now and keep their
-- indexes by owner with run_id (still correct, only slower to build, and
-- built).  One function, crmx.index_orders_of, now builds all six, and
-- 0032's two go: index_run_owners, which reportd stopped calling when
-- 0035's attach took over, and index_owners_of, which that attach called.

DROP INDEX crmx.account_metrics_revenue_order, crmx.account_metrics_ltv_order,
           crmx.account_metrics_activity_order;

-- The lists' orders of a run's partition PART: every account's, and each
-- owner's (IF NOT EXISTS: a partition that has one keeps it).
CREATE FUNCTION crmx.index_orders_of(part text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key text;
BEGIN
    FOREACH key IN ARRAY ARRAY['revenue_window', 'ltv_pred', 'last_activity'] LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON crmx.%I'
                       ' (%I DESC NULLS LAST, account_id)',
                       part || '_order_' || key, part, key);
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON crmx.%I (owner_id,'
                       ' %I DESC NULLS LAST, account_id) WHERE owner_id IS NOT NULL',
                       part || '_owner_' || key, part, key);
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION crmx.index_orders_of(text) FROM PUBLIC;

-- 0035's, with the orders of the partition's own.
CREATE OR REPLACE FUNCTION crmx.attach_run_partition(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    part text := 'account_metrics_' || run;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.status = 'running') THEN
        RAISE EXCEPTION 'crmx.attach_run_partition: no running run %', run;
    END IF;
    IF to_regclass('crmx.' || part) IS NULL
       OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = ('crmx.' || part)::regclass) THEN
        RAISE EXCEPTION 'crmx.attach_run_partition: run % has no table waiting', run;
    END IF;
    IF session_user <> current_user THEN
        EXECUTE format('REVOKE INSERT ON crmx.%I FROM %I', part, session_user);
    END IF;
    EXECUTE format('ALTER TABLE crmx.%I ADD PRIMARY KEY (run_id, account_id)', part);
    PERFORM crmx.index_orders_of(part);
    EXECUTE format('ALTER TABLE crmx.account_metrics ATTACH PARTITION crmx.%I FOR VALUES IN (%L)',
                   part, run);
END $$;

DROP FUNCTION crmx.index_run_owners(bigint);
DROP FUNCTION crmx.index_owners_of(text);

DO $$
DECLARE
    part text;
BEGIN
    FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 WHERE i.inhparent = 'crmx.account_metrics'::regclass LOOP
        PERFORM crmx.index_orders_of(part);
    END LOOP;
END $$;
