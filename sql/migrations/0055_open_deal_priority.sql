-- Each open deal's priority as the run stored it, so that an executive's
-- pipeline by priority reads its first deals from an index (issue 16:
-- every page under 50 ms at a million accounts).
--
-- A deal's priority (fcgi/queries.c PDEAL_PRIO) is its weighted amount
-- over 1 + (days in its stage) / 30: it depends on the day, so no index on
-- the CRM's table holds its order.  Until now the executive's page walked
-- each stage's largest deals for a bound and then ranked every deal above
-- it (about 1,800 rows of the index by stage and amount at a million
-- accounts for a page of 100: 1.3 ms of a server process, three quarters
-- of the page's statements).  A priority only falls as days pass, so the
-- priority a deal had on the day the run stored its rows (run.panel_day,
-- in the panels' zone) is at least the one it has on any later day: the
-- k best deals now all have a stored priority of at least the k-th best
-- priority now, and the k best by stored priority give a floor for that
-- (Q_PIPELINE_TOP_RUN).  The deals changed since (the marks of 0038) are
-- read as they are now, as the sums read them.
--
-- The page's rows come from the stored row too, what the page shows of
-- the deal and its account's name: an unmarked deal is as stored, and a
-- renamed account is marked by account (0039), its name then read now.
-- Looking up each of the page's hundred deals and accounts in the CRM
-- took 0.45 ms of a server process a page at a million accounts.
--
-- entered: the day the deal entered its stage (in the panels' zone);
-- prio: its priority on run.panel_day (never NULL: no date is no
-- discount, no amount or probability a priority of 0); name, account_id,
-- stage, shown_probability: the deal's; account: its account's name.
ALTER TABLE crmx.run ADD COLUMN panel_day date;
ALTER TABLE crmx.open_deal ADD COLUMN entered date, ADD COLUMN prio double precision,
    ADD COLUMN name text, ADD COLUMN account_id bigint, ADD COLUMN account text,
    ADD COLUMN stage text, ADD COLUMN shown_probability double precision;
-- What the ranking reads is in the index; what the page shows is read by
-- key for its rows (in the index too, it made the index wider than the
-- table, and a generic plan, which takes a third of the rows to be above
-- any floor, then read the table instead).
CREATE INDEX open_deal_prio ON crmx.open_deal (run_id, prio DESC)
    INCLUDE (opportunity_id, owner_id, weighted, entered, probability);
-- A manager's or a rep's pipeline by priority ranks its owners' stored
-- rows the same way, all of them (a team's few hundred open deals), from
-- their index by owner (Q_PIPELINE_PAGE_PRIO_RUN), which carries what the
-- page shows too (a few owners' rows: always read from this index).
DROP INDEX crmx.open_deal_owner;
CREATE INDEX open_deal_owner ON crmx.open_deal (run_id, owner_id)
    INCLUDE (opportunity_id, probability, weighted, entered, name, account_id, account, stage,
             amount, shown_probability);

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
           panel_timezone = current_setting('TimeZone'), panel_day = current_date,
           row_marks = true, account_owners = true
     WHERE r.run_id = run AND r.status = 'running' RETURNING r.panel_snapshot INTO snap;
    IF snap IS NULL THEN
        RAISE EXCEPTION 'crmx.store_panel_aggregates: no running run %', run;
    END IF;
    DELETE FROM crmx.precise_account WHERE run_id <> run;
    DELETE FROM crmx.open_deal WHERE run_id <> run;
    -- the priority as fcgi/queries.c PDEAL_PRIO computes it, on this day
    INSERT INTO crmx.open_deal
    SELECT run, o.opportunity_id, o.owner_id, o.stage_rank,
           date_trunc('month', o.expected_close)::date, o.stage_entered_at IS NOT NULL,
           o.amount, o.amount * o.probability, (o.amount * f.probability)::numeric,
           f.probability, o.stage_entered_at::date,
           coalesce(o.amount::float8 * o.probability, 0)
             / (1 + greatest(current_date - o.stage_entered_at::date, 0) / 30.0::float8),
           o.name, o.account_id, a.name, o.stage, o.probability
      FROM crmx_src.opportunities o
      LEFT JOIN crmx.deal_forecast f ON f.run_id = run AND f.opportunity_id = o.opportunity_id
      LEFT JOIN crmx_src.accounts a ON a.account_id = o.account_id
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
