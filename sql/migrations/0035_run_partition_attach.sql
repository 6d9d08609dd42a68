-- A run's rows of its accounts go into a table of their own, bare, and
-- are indexed and attached as the run's partition afterwards (issue 16,
-- a run within 2x the COPY of what it reads).  Created as a partition, the
-- table had the primary key and 0025's three indexes kept up row by row
-- during the run's COPY, each in random order: 13 s for 10^6 accounts,
-- where the bare COPY takes 2 s and building the seven indexes by sorting
-- 6 s.  The CHECK on run_id lets ATTACH PARTITION skip reading the rows
-- to prove them; the indexes, built under the names a partition's get,
-- are taken for the parent's instead of built again.
--
-- crmx.add_run_partition (0016, 0028) makes the bare table and lets the
-- caller (reportd's role) fill it; crmx.attach_run_partition indexes it
-- (0032's indexes by owner too), takes the right back and attaches it.
-- Both run in the run's store transaction: a failed run leaves nothing.
CREATE OR REPLACE FUNCTION crmx.add_run_partition(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    part text := 'account_metrics_' || run;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run) THEN
        RAISE EXCEPTION 'crmx.add_run_partition: no run %', run;
    END IF;
    EXECUTE format('CREATE TABLE crmx.%I (LIKE crmx.account_metrics'
                   ' INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
    EXECUTE format('ALTER TABLE crmx.%I ADD CONSTRAINT %I'
                   ' CHECK (run_id IS NOT NULL AND run_id = %L)', part, part || '_run', run);
    IF session_user <> current_user THEN
        EXECUTE format('GRANT INSERT ON crmx.%I TO %I', part, session_user);
    END IF;
    EXECUTE format('CREATE TABLE crmx.%I PARTITION OF crmx.deal_forecast FOR VALUES IN (%L)',
                   'deal_forecast_' || run, run);
END $$;

CREATE FUNCTION crmx.attach_run_partition(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    part text := 'account_metrics_' || run;
    key text;
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
    FOREACH key IN ARRAY ARRAY['revenue_window', 'ltv_pred', 'last_activity'] LOOP
        EXECUTE format('CREATE INDEX %I ON crmx.%I (run_id, %I DESC NULLS LAST, account_id)',
                       part || '_run_id_' || key || '_account_id_idx', part, key);
    END LOOP;
    PERFORM crmx.index_owners_of(part);
    EXECUTE format('ALTER TABLE crmx.account_metrics ATTACH PARTITION crmx.%I FOR VALUES IN (%L)',
                   part, run);
END $$;
REVOKE ALL ON FUNCTION crmx.attach_run_partition(bigint) FROM PUBLIC;
