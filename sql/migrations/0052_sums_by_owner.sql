-- The run's sums laid out as the pages read them, and the funnel's
-- counts over everyone summed once per run (issue 16, every page read
-- afresh under 50 ms at 64 connections).
--
-- A rep's or a manager's pipeline and regions read their owners' rows of
-- the run's sums by the index on (run, whole, owner).  Those rows came
-- out of a hashed GROUPING SETS in no order, so each owner's rows lay one
-- to a page: at a million accounts a rep's 35 closed deals' sums were on
-- 34 pages, the 18 open deals' sums on 18, the 98 open deals on 94, and a
-- manager's pipeline read 167 pages for 180 rows of lost reasons.  Each
-- page is a buffer look-up and a pin.  The run now writes them sorted by
-- owner (the rows over everyone last), so an owner's rows share a page
-- or two.  Rows written into a page freed by a pruned run still come in
-- order, page after page.
--
-- An executive's funnel summed the reached counts and conversion bases
-- of the run's 1,170 owners on every request (0.8 of its 0.9 ms).  The
-- run now stores those sums once (crmx.owner_funnel); the sums of a
-- scope of owners are still read from their rows.  Runs stored before
-- get theirs here.

CREATE TABLE crmx.owner_funnel (
    run_id     bigint PRIMARY KEY REFERENCES crmx.run ON DELETE CASCADE,
    owners     bigint NOT NULL,		-- the owners' rows summed
    reached    bigint[] NOT NULL,	-- sum(owner_metrics.reached[k]), k = 1..5
    conv_base  bigint[] NOT NULL	-- the same of conv_base, NULL for the fifth
);
-- One run's row of it, summed from its owners' rows: what the run stores,
-- and what a page sums for a run stored without it (fcgi's Q_FUNNEL_AGG).
CREATE FUNCTION crmx.owner_funnel_sums(run bigint) RETURNS SETOF crmx.owner_funnel
LANGUAGE sql STABLE
AS $$
    SELECT run, count(*), ARRAY[sum(m.reached[1]), sum(m.reached[2]), sum(m.reached[3]),
                 sum(m.reached[4]), sum(m.reached[5])],
           ARRAY[sum(m.conv_base[1]), sum(m.conv_base[2]), sum(m.conv_base[3]),
                 sum(m.conv_base[4]), NULL]
      FROM crmx.owner_metrics m WHERE m.run_id = run
$$;
INSERT INTO crmx.owner_funnel
SELECT f.* FROM crmx.run r CROSS JOIN LATERAL crmx.owner_funnel_sums(r.run_id) f
 WHERE r.status = 'ok';

-- 0051's, each owner's sums written together.
CREATE OR REPLACE FUNCTION crmx.store_sums_beside(run bigint) RETURNS pg_snapshot
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
        FROM s GROUP BY GROUPING SETS ((owner_id, region, city), (region, city))
       ORDER BY grouping(owner_id), owner_id, region, city)
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
                             (outcome, source, lost_reason))
     ORDER BY grouping(owner_id), owner_id, outcome, source, lost_reason;
    RETURN pg_current_snapshot();
END $$;
REVOKE ALL ON FUNCTION crmx.store_sums_beside(bigint) FROM PUBLIC;

-- 0051's, the open deals and their sums written by owner, and the
-- funnel's counts over everyone stored.
CREATE OR REPLACE FUNCTION crmx.store_panel_aggregates(run bigint, tz text, beside_snap pg_snapshot)
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
