-- The sums of a run that need only its accounts' rows made on a second
-- connection, beside the indexing of those rows (issue 16, a run within 2x the COPY of
-- what it reads).  At a million accounts the run's store was one chain of
-- statements on one server process: the seven indexes of the run's
-- partition (7.5 s), then the regions' sums (4.1 s, 0038's
-- crmx.store_region_aggregates), the open and closed deals' sums, the
-- owners, the team view; the machine's other core idle once the learned
-- forecast was done (measured with auto_explain in a real run).
--
-- The regions' sums read only the accounts (their region, city, owner and
-- qualification) and three of the run's figures per account; the closed
-- deals' sums (0027, 0.7 s) read none of the run's rows.  The first need
-- the run's rows committed, and the rows were written in the store
-- transaction.  Now:
--
--   1. reportd makes the bare table and COPYs the rows in a transaction of
--      their own, committed (crmx.add_run_partition as before).  Nothing
--      reads it: it is not a partition yet and the run is still 'running';
--   2. on a second connection, in a REPEATABLE READ transaction,
--      crmx.hold_run_table takes the table's share lock, then
--      crmx.store_sums_beside writes the regions' sums and the precise
--      customers from that table, and the closed deals' sums, commits,
--      and returns the transaction's snapshot;
--   3. meanwhile (once that lock is held) the store transaction indexes
--      the table (crmx.attach_run_partition): every index first (CREATE INDEX shares
--      its lock with readers), then the primary key on its index and the
--      attach, which wait for step 2 to end;
--   4. crmx.store_panel_aggregates records step 2's snapshot as the run's
--      panel_snapshot: those sums are exactly of it, the other sums (read
--      later) of it or later, and the marks it saw go, as before.
--
-- A run that fails after step 1 or 2 is undone by crmx.discard_run: its
-- table, its learned probabilities' partition and those sums go.
--
-- Measured side by side at a million accounts (the run as before and as
-- now, four times each in turn on this 2-core machine): stored 6.9-9.8 s
-- before, 3.6-4.6 s now, but the whole run only 0.7 s shorter on average
-- (24.2 s before, 23.5 now): the learned forecast, one thread, now shares
-- the two cores with two server processes, and took 7-8 s where it took
-- 4.  The machine's cores were already busy; what this gains is the store
-- tail's idle core.  The sums beside are also of one snapshot now, where
-- each statement of the store transaction read its own.

-- The name of a running run's table, made and not yet attached; else an
-- exception in the name of caller (what 0035's attach checked, for the
-- three functions below).
CREATE FUNCTION crmx.waiting_run_table(run bigint, caller text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    part text := 'account_metrics_' || run;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.status = 'running') THEN
        RAISE EXCEPTION 'crmx.%: no running run %', caller, run;
    END IF;
    IF to_regclass('crmx.' || part) IS NULL
       OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = ('crmx.' || part)::regclass) THEN
        RAISE EXCEPTION 'crmx.%: run % has no table waiting', caller, run;
    END IF;
    RETURN part;
END $$;
REVOKE ALL ON FUNCTION crmx.waiting_run_table(bigint, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION crmx.attach_run_partition(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    part text := crmx.waiting_run_table(run, 'attach_run_partition');
BEGIN
    -- the indexes under a share lock, beside the sums reading the table
    EXECUTE format('CREATE UNIQUE INDEX %I ON crmx.%I (run_id, account_id)',
                   part || '_pkey', part);
    PERFORM crmx.index_orders_of(part);
    -- then what locks the table alone: after the sums beside are done
    IF session_user <> current_user THEN
        EXECUTE format('REVOKE INSERT ON crmx.%I FROM %I', part, session_user);
    END IF;
    EXECUTE format('ALTER TABLE crmx.%I ADD PRIMARY KEY USING INDEX %I', part, part || '_pkey');
    EXECUTE format('ALTER TABLE crmx.account_metrics ATTACH PARTITION crmx.%I FOR VALUES IN (%L)',
                   part, run);
END $$;

-- The run's table held for reading (a share lock) until the caller's
-- transaction ends: taken by the sums beside before the store
-- transaction is let to index it, so that its attach waits for them and
-- never the other way round (they would wait for the end of the store,
-- which waits for them).
CREATE FUNCTION crmx.hold_run_table(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('LOCK TABLE crmx.%I IN ACCESS SHARE MODE',
                   crmx.waiting_run_table(run, 'hold_run_table'));
END $$;
REVOKE ALL ON FUNCTION crmx.hold_run_table(bigint) FROM PUBLIC;

-- 0038's crmx.store_region_aggregates, reading the run's committed table
-- (not yet attached), and 0038's closed deals' sums, in the caller's
-- REPEATABLE READ transaction, whose snapshot it returns.  Other runs'
-- precise customers stay: the latest complete run's are read until this
-- run is complete (crmx.store_panel_aggregates removes them).
CREATE FUNCTION crmx.store_sums_beside(run bigint) RETURNS pg_snapshot
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    part text := crmx.waiting_run_table(run, 'store_sums_beside');
BEGIN
    IF current_setting('transaction_isolation') NOT IN ('repeatable read', 'serializable') THEN
        RAISE EXCEPTION 'crmx.store_sums_beside: needs a REPEATABLE READ transaction';
    END IF;
    IF EXISTS (SELECT 1 FROM crmx.region_agg g WHERE g.run_id = run)
       OR EXISTS (SELECT 1 FROM crmx.precise_account p WHERE p.run_id = run)
       OR EXISTS (SELECT 1 FROM crmx.closed_agg c WHERE c.run_id = run) THEN
        RAISE EXCEPTION 'crmx.store_sums_beside: run % has its sums already', run;
    END IF;
    EXECUTE format($q$
    WITH s AS MATERIALIZED (SELECT a.account_id, a.name, a.owner_id,
           coalesce(a.region, '') AS region, coalesce(a.city, '') AS city,
           m.revenue_window AS rev, m.open_deals, m.abc_class,
           coalesce(q.has_need AND q.can_pay AND q.has_authority, false) AS precise
      FROM crmx_src.accounts a
      LEFT JOIN crmx.%I m ON m.account_id = a.account_id
      LEFT JOIN crmx.qualification q ON q.account_id = a.account_id),
    pa AS (INSERT INTO crmx.precise_account
      SELECT $1, account_id, owner_id FROM s WHERE precise),
    agg AS (INSERT INTO crmx.region_agg
      SELECT $1, grouping(owner_id) = 1, owner_id, region, city, count(*),
             count(*) FILTER (WHERE precise), count(*) FILTER (WHERE abc_class = 'A'),
             coalesce(sum(rev), 0), coalesce(sum(open_deals), 0)
        FROM s GROUP BY GROUPING SETS ((owner_id, region, city), (region, city)))
    INSERT INTO crmx.region_top
    SELECT $1, owner_id, region, city, account_id, name, rev
      FROM (SELECT s.*, row_number() OVER (PARTITION BY owner_id, region, city
                   ORDER BY rev DESC NULLS LAST, account_id) AS rn FROM s WHERE precise) p
     WHERE rn <= 5 $q$, part) USING run;
    INSERT INTO crmx.closed_agg
    SELECT run, grouping(owner_id) = 1, owner_id, outcome, source, lost_reason, count(*),
           sum(amount)
      FROM (SELECT o.owner_id, o.outcome, o.source, o.lost_reason, o.amount
              FROM crmx_src.opportunities o JOIN crmx.run r ON r.run_id = run
             WHERE o.outcome IN ('won', 'lost') AND o.closed_at >= r.window_start
               AND o.closed_at < r.as_of + 1) d
     GROUP BY GROUPING SETS ((owner_id, outcome, source, lost_reason),
                             (outcome, source, lost_reason));
    RETURN pg_current_snapshot();
END $$;
REVOKE ALL ON FUNCTION crmx.store_sums_beside(bigint) FROM PUBLIC;

-- 0047's, with the snapshot of the sums beside as the run's, the earlier
-- runs' precise customers removed here, and the closed deals' sums made
-- beside.
DROP FUNCTION crmx.store_panel_aggregates(bigint, text);
DROP FUNCTION crmx.store_region_aggregates(bigint);
CREATE FUNCTION crmx.store_panel_aggregates(run bigint, tz text, beside_snap pg_snapshot)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    snap pg_snapshot;
BEGIN
    IF beside_snap IS NULL THEN
        RAISE EXCEPTION 'crmx.store_panel_aggregates: no snapshot of the sums beside';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM crmx.precise_account p WHERE p.run_id = run)
       AND NOT EXISTS (SELECT 1 FROM crmx.region_agg g WHERE g.run_id = run)
       AND EXISTS (SELECT 1 FROM crmx_src.accounts) THEN
        RAISE EXCEPTION 'crmx.store_panel_aggregates: run % has no regions'' sums', run;
    END IF;
    IF tz IS NOT NULL THEN	-- the panels' zone ([reportd] timezone), for this transaction
        PERFORM set_config('TimeZone', tz, true);
    END IF;
    UPDATE crmx.run r SET panel_snapshot = beside_snap,
           panel_timezone = current_setting('TimeZone'), row_marks = true
     WHERE r.run_id = run AND r.status = 'running' RETURNING r.panel_snapshot INTO snap;
    IF snap IS NULL THEN
        RAISE EXCEPTION 'crmx.store_panel_aggregates: no running run %', run;
    END IF;
    DELETE FROM crmx.precise_account WHERE run_id <> run;
    DELETE FROM crmx.open_deal WHERE run_id <> run;
    INSERT INTO crmx.open_deal
    SELECT run, o.opportunity_id, o.owner_id, o.stage_rank,
           date_trunc('month', o.expected_close)::date, o.stage_entered_at IS NOT NULL,
           o.amount, o.amount * o.probability, (o.amount * f.probability)::numeric,
           f.probability
      FROM crmx_src.opportunities o
      LEFT JOIN crmx.deal_forecast f ON f.run_id = run AND f.opportunity_id = o.opportunity_id
     WHERE o.outcome = 'open';
    INSERT INTO crmx.pipeline_agg
    SELECT run, grouping(owner_id) = 1, owner_id, stage_rank, due_month, count(*), sum(amount),
           sum(weighted)
      FROM crmx.open_deal d WHERE d.run_id = run
     GROUP BY GROUPING SETS ((owner_id, stage_rank, due_month), (stage_rank, due_month));
    DELETE FROM crmx.changed_owner c WHERE pg_visible_in_snapshot(c.xid, snap);
    DELETE FROM crmx.changed_deal c WHERE pg_visible_in_snapshot(c.xid, snap);
    DELETE FROM crmx.changed_account c WHERE pg_visible_in_snapshot(c.xid, snap);
END $$;
REVOKE ALL ON FUNCTION crmx.store_panel_aggregates(bigint, text, pg_snapshot) FROM PUBLIC;

-- What a failed run left committed: its table (not attached, or empty and
-- attached for the learned probabilities) and its sums beside.
CREATE FUNCTION crmx.discard_run(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.status = 'failed') THEN
        RAISE EXCEPTION 'crmx.discard_run: run % has not failed', run;
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS crmx.%I', 'account_metrics_' || run);
    EXECUTE format('DROP TABLE IF EXISTS crmx.%I', 'deal_forecast_' || run);
    DELETE FROM crmx.region_agg x WHERE x.run_id = run;
    DELETE FROM crmx.region_top x WHERE x.run_id = run;
    DELETE FROM crmx.precise_account x WHERE x.run_id = run;
    DELETE FROM crmx.closed_agg x WHERE x.run_id = run;
END $$;
REVOKE ALL ON FUNCTION crmx.discard_run(bigint) FROM PUBLIC;
