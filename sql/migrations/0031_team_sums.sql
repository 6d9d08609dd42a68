-- The team view at scale (issue 16): it read every open deal (with a
-- review lookup each), this quarter's won deals and every precise customer
-- on each read.  Now the run stores, per owner, what does not depend on
-- the day (the open deals by due month: count, amount, weighted and
-- learned forecast, how many have a stage date; the precise customers),
-- read after the snapshot 0027's sums record, so the owners changed since
-- are read live in their place (crmx.changed_owner, fcgi/panelagg.c).
-- What depends on the day is read live through indexes, from the few
-- rows it needs: the open deals whose stage began within the stall days
-- (stalled = deals with a stage date less those), the deals reviewed in
-- the last 14 days (unreviewed = open deals less those) and the deals won
-- since the quarter began.  The weighted sums are of each deal's
-- amount * probability as numeric, so that they do not depend on the
-- order they are added in (tests/integration/aggregates.sh).

ALTER TABLE crmx.run ADD COLUMN team_sums boolean NOT NULL DEFAULT false;

CREATE TABLE crmx.team_agg (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    owner_id    bigint NOT NULL,
    due_month   date,			-- month of expected_close; NULL: none
    deals       bigint NOT NULL,
    dated       bigint NOT NULL,	-- of them with a stage_entered_at
    amount      numeric NOT NULL,
    weighted    numeric,		-- sum((amount * probability)::numeric)
    learned     numeric		-- the same with the run's learned probability
);
CREATE INDEX team_agg_owner ON crmx.team_agg (run_id, owner_id);

CREATE TABLE crmx.team_precise (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    owner_id    bigint NOT NULL,
    precise     bigint NOT NULL
);
CREATE INDEX team_precise_owner ON crmx.team_precise (run_id, owner_id);

-- The run's per-owner sums, in its store transaction after
-- crmx.store_panel_aggregates (whose snapshot they are read after).  Only
-- the latest run's are read: earlier runs' go.
CREATE FUNCTION crmx.store_team_aggregates(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.status = 'running'
                   AND r.panel_snapshot IS NOT NULL) THEN
        RAISE EXCEPTION 'crmx.store_team_aggregates: no running run % with its snapshot', run;
    END IF;
    DELETE FROM crmx.team_agg WHERE run_id <> run;
    DELETE FROM crmx.team_precise WHERE run_id <> run;
    INSERT INTO crmx.team_agg
    SELECT run, o.owner_id, date_trunc('month', o.expected_close)::date, count(*),
           count(o.stage_entered_at), sum(o.amount), sum((o.amount * o.probability)::numeric),
           sum((o.amount * f.probability)::numeric)
      FROM crmx_src.opportunities o
      LEFT JOIN crmx.deal_forecast f ON f.run_id = run AND f.opportunity_id = o.opportunity_id
     WHERE o.outcome = 'open' AND o.owner_id IS NOT NULL
     GROUP BY 2, 3;
    INSERT INTO crmx.team_precise
    SELECT run, a.owner_id, count(*) FROM crmx.qualification q
      JOIN crmx_src.accounts a ON a.account_id = q.account_id
     WHERE a.owner_id IS NOT NULL AND q.has_need AND q.can_pay AND q.has_authority
     GROUP BY a.owner_id;
    UPDATE crmx.run r SET team_sums = true WHERE r.run_id = run;
END $$;
REVOKE ALL ON FUNCTION crmx.store_team_aggregates(bigint) FROM PUBLIC;

-- The day's part, read live: reviews by time, open deals by the day their
-- stage began and deals by the day they closed.
CREATE INDEX deal_review_created ON crmx.deal_review (created_at) INCLUDE (opportunity_id);
CREATE INDEX opportunities_stage_entered ON crmx_native.opportunities (stage_entered_at)
    INCLUDE (owner_id, stage);
CREATE INDEX opportunities_closed ON crmx_native.opportunities (closed_at)
    INCLUDE (owner_id, stage, amount);
