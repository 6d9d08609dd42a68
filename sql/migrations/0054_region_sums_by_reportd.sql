-- The regions' sums made by reportd from its snapshot, and the run's
-- snapshot taken before its read (issue 16, a run within 2x the COPY of
-- what it reads).
--
-- Since 0051 a second connection of reportd's joined the run's million
-- accounts rows with crmx_src.accounts and crmx.qualification to write the
-- regions' sums, the precise customers and each owner's five largest of
-- them per city (crmx.store_sums_beside), and its snapshot became the
-- run's (crmx.run.panel_snapshot): 5-6 s of a server process at a million
-- accounts, on a 2-core machine while the learned forecast and the
-- indexing wanted both cores.  reportd's snapshot holds everything those
-- sums need (each account's owner, region, city, qualification, revenue
-- in the window, class and open deals), so it makes them itself and
-- copies them with the accounts' rows (reportd/engine/store_regions.c):
-- reportd's role may now INSERT into crmx.region_agg, crmx.region_top and
-- crmx.precise_account (admin/roles.c), as it does into its own run's
-- other tables.
--
-- The run's snapshot: a stored sum must be of the run's snapshot or later
-- (a change the snapshot shows has its marks deleted by
-- crmx.store_panel_aggregates; a later one keeps them and the panels read
-- its owner live).  reportd now takes the primary's snapshot when it
-- records the run (pg_current_snapshot() of that statement), before its
-- read: on the primary the read's transaction begins after it, and a
-- replica is read only once it has replayed the primary's position of
-- after it.  Every sum is then of it or later: the regions' and the
-- accounts' rows of the read, the rest of the store transaction.  So the
-- accounts' rows carry owners of that snapshot or later as they are read,
-- and crmx.store_account_owners (0032: the owners updated to the store's,
-- 0.6 s at a million accounts) goes; store_panel_aggregates sets
-- run.account_owners itself.  A run's marks made while it read stay until
-- the next run, read live meanwhile.
--
-- The closed deals' sums (store_sums_beside's too) are made by
-- crmx.store_closed_sums in the transaction that commits the accounts'
-- rows and the regions' sums, while reportd computes (0.5 s of the
-- store's end, one core idle, in store_panel_aggregates).
DROP FUNCTION crmx.store_sums_beside(bigint);
DROP FUNCTION crmx.hold_run_table(bigint);
DROP FUNCTION crmx.store_account_owners(bigint);

CREATE FUNCTION crmx.store_closed_sums(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.status = 'running') THEN
        RAISE EXCEPTION 'crmx.store_closed_sums: no running run %', run;
    END IF;
    IF EXISTS (SELECT 1 FROM crmx.closed_agg c WHERE c.run_id = run) THEN
        RAISE EXCEPTION 'crmx.store_closed_sums: run % has its sums already', run;
    END IF;
    INSERT INTO crmx.closed_agg
    SELECT run, grouping(owner_id) = 1, owner_id, outcome, source, lost_reason, count(*),
           sum(amount)
      FROM (SELECT o.owner_id, o.outcome, o.source, o.lost_reason, o.amount
              FROM crmx_src.opportunities o JOIN crmx.run r ON r.run_id = run
             WHERE o.outcome IN ('won', 'lost') AND o.closed_at >= r.window_start
               AND o.closed_at < r.as_of + 1) d
     GROUP BY GROUPING SETS ((owner_id, outcome, source, lost_reason),
                             (outcome, source, lost_reason))
     ORDER BY grouping(owner_id), owner_id, outcome, source, lost_reason;
END $$;
REVOKE ALL ON FUNCTION crmx.store_closed_sums(bigint) FROM PUBLIC;

CREATE OR REPLACE FUNCTION crmx.store_panel_aggregates(run bigint, tz text, beside_snap pg_snapshot)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    snap pg_snapshot;
BEGIN
    IF beside_snap IS NULL THEN
        RAISE EXCEPTION 'crmx.store_panel_aggregates: no snapshot of the run';
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
           panel_timezone = current_setting('TimeZone'), row_marks = true, account_owners = true
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
     WHERE o.outcome = 'open'
     ORDER BY o.owner_id, o.opportunity_id;
    INSERT INTO crmx.pipeline_agg
    SELECT run, grouping(owner_id) = 1, owner_id, stage_rank, due_month, count(*), sum(amount),
           sum(weighted)
      FROM crmx.open_deal d WHERE d.run_id = run
     GROUP BY GROUPING SETS ((owner_id, stage_rank, due_month), (stage_rank, due_month))
     ORDER BY grouping(owner_id), owner_id, stage_rank, due_month;
    INSERT INTO crmx.owner_funnel SELECT * FROM crmx.owner_funnel_sums(run);
    DELETE FROM crmx.changed_owner c WHERE pg_visible_in_snapshot(c.xid, snap);
    DELETE FROM crmx.changed_deal c WHERE pg_visible_in_snapshot(c.xid, snap);
    DELETE FROM crmx.changed_account c WHERE pg_visible_in_snapshot(c.xid, snap);
END $$;
REVOKE ALL ON FUNCTION crmx.store_panel_aggregates(bigint, text, pg_snapshot) FROM PUBLIC;
