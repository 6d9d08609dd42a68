-- A rep's pipeline without a look-up per row (issue 16).  Each row of the
-- page showed its account's name and the latest run's learned probability,
-- each read by its key: two index descents per row, about 5 us each on the
-- 1M bench set (the keys are scattered over a million rows), 80% of the
-- page's main statement.  The run's open deals (crmx.open_deal, stored
-- with the panels' sums) now carry that probability, and an index by owner
-- gives a rep's deals' probabilities in one range; the rep's accounts'
-- names come the same way from the native adapter's index by owner and
-- name (0032), through the adapter's crmx_src.owned_names (none where
-- nothing indexes the accounts by owner: Tryton, Odoo).  A deal or
-- account found in neither (opened, moved or reassigned since the run, or
-- an account of another owner), and a manager's page, are still read by
-- key (fcgi/queries.c, PDEAL_PAGE).

ALTER TABLE crmx.open_deal ADD COLUMN probability double precision;	-- the run's learned one
UPDATE crmx.open_deal x SET probability = f.probability
  FROM crmx.deal_forecast f
 WHERE f.run_id = x.run_id AND f.opportunity_id = x.opportunity_id;
CREATE INDEX open_deal_owner ON crmx.open_deal (run_id, owner_id)
    INCLUDE (opportunity_id, probability);

-- 0038's, storing the learned probability with each open deal.
CREATE OR REPLACE FUNCTION crmx.store_panel_aggregates(run bigint, tz text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    snap pg_snapshot;
BEGIN
    IF tz IS NOT NULL THEN	-- the panels' zone ([reportd] timezone), for this transaction
        PERFORM set_config('TimeZone', tz, true);
    END IF;
    UPDATE crmx.run r SET panel_snapshot = pg_current_snapshot(),
           panel_timezone = current_setting('TimeZone'), row_marks = true
     WHERE r.run_id = run AND r.status = 'running' RETURNING r.panel_snapshot INTO snap;
    IF snap IS NULL THEN
        RAISE EXCEPTION 'crmx.store_panel_aggregates: no running run %', run;
    END IF;
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
    INSERT INTO crmx.closed_agg
    SELECT run, grouping(owner_id) = 1, owner_id, outcome, source, lost_reason, count(*),
           sum(amount)
      FROM (SELECT o.owner_id, o.outcome, o.source, o.lost_reason, o.amount
              FROM crmx_src.opportunities o JOIN crmx.run r ON r.run_id = run
             WHERE o.outcome IN ('won', 'lost') AND o.closed_at >= r.window_start
               AND o.closed_at < r.as_of + 1) d
     GROUP BY GROUPING SETS ((owner_id, outcome, source, lost_reason),
                             (outcome, source, lost_reason));
    PERFORM crmx.store_region_aggregates(run);
    DELETE FROM crmx.changed_owner c WHERE pg_visible_in_snapshot(c.xid, snap);
    DELETE FROM crmx.changed_deal c WHERE pg_visible_in_snapshot(c.xid, snap);
    DELETE FROM crmx.changed_account c WHERE pg_visible_in_snapshot(c.xid, snap);
END $$;

-- Until the adapter is made again (crmx-admin adapter NAME, as after
-- 0038): none, so the names are read by key as before.  On a new
-- database the adapter comes after the migrations and defines its own.
DO $$
BEGIN
    IF to_regclass('crmx_src.accounts') IS NOT NULL THEN
        CREATE FUNCTION crmx_src.owned_names(owners bigint[])
        RETURNS TABLE (account_id bigint, name text) LANGUAGE sql STABLE
        AS 'SELECT NULL::bigint, NULL::text WHERE false';
    END IF;
END $$;
