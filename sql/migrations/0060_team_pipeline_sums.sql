-- A manager's pipeline from sums per team on a quiet day (issue 16: every
-- page under 50 ms at a million accounts).
--
-- A manager's funnel and closed deals' parts summed the run's stored rows
-- of each owner of the team (0052): at a million accounts, seven owners'
-- 117 rows of open deals by layer and due month and 210 of closed deals
-- by outcome, source and reason, each read with seven index descents,
-- under a plan that also set up every branch for the changes since the
-- run.  The run now stores those sums per team as well, for the teams of
-- crmx.open_team (0057: each team's users as the run read them), and a
-- manager whose scope is exactly a team's users reads about 30 and 35
-- rows by one key when nothing the sums cover changed since the run
-- (fcgi/queries.c Q_FUNNEL_TEAM, Q_CLOSED_PARTS_TEAM); on any other day,
-- or for another scope, the page reads the owners' sums with the changes
-- as before.
--
-- team_pipeline_agg: pipeline_agg's owner rows summed per team, by layer
-- and due month; team_closed_agg: closed_agg's owner rows summed per team,
-- by outcome, source and lost reason.  run.pipeline_team_sums: the run
-- stored them (a run stored before this migration, other than the
-- latest, did not).

CREATE TABLE crmx.team_pipeline_agg (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    team        text NOT NULL,
    stage_rank  integer,
    due_month   date,
    deals       bigint NOT NULL,
    amount      numeric NOT NULL,
    weighted    double precision
);
CREATE INDEX team_pipeline_agg_team ON crmx.team_pipeline_agg (run_id, team);
CREATE TABLE crmx.team_closed_agg (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    team        text NOT NULL,
    outcome     text NOT NULL,
    source      text,
    lost_reason text,
    deals       bigint NOT NULL,
    amount      numeric NOT NULL
);
CREATE INDEX team_closed_agg_team ON crmx.team_closed_agg (run_id, team);
ALTER TABLE crmx.run ADD COLUMN pipeline_team_sums boolean NOT NULL DEFAULT false;

-- Called by reportd after crmx.store_panel_aggregates (which stores the
-- teams and the owners' open deals' sums; the closed deals' come before
-- it), in the run's transaction; by this migration for the latest run.
-- Only one run's are kept, as open_team's.  Each team's rows lie
-- together, in its order.  The teams' users (m) are joined with the
-- owners' sums by hashing: in the run's transaction the statistics do not
-- know its rows yet, and the plan that looked them up owner by owner took
-- 8.9 s of a run at 1M (0.1 s so).
CREATE FUNCTION crmx.store_pipeline_team_sums(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET enable_nestloop = off SET jit = off
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run
                   AND (r.status = 'running' OR r.run_id = (SELECT l.run_id FROM crmx.latest_run l))) THEN
        RAISE EXCEPTION 'crmx.store_pipeline_team_sums: run % is neither running nor the latest', run;
    END IF;
    DELETE FROM crmx.team_pipeline_agg;
    DELETE FROM crmx.team_closed_agg;
    UPDATE crmx.run r SET pipeline_team_sums = false WHERE r.pipeline_team_sums AND r.run_id <> run;
    INSERT INTO crmx.team_pipeline_agg
    WITH m AS MATERIALIZED (SELECT t.team, unnest(t.owners) AS owner_id
                              FROM crmx.open_team t WHERE t.run_id = run)
    SELECT run, m.team, x.stage_rank, x.due_month, sum(x.deals), sum(x.amount), sum(x.weighted)
      FROM m JOIN crmx.pipeline_agg x ON x.owner_id = m.owner_id
     WHERE x.run_id = run AND NOT x.whole
     GROUP BY m.team, x.stage_rank, x.due_month
     ORDER BY m.team, x.stage_rank, x.due_month;
    INSERT INTO crmx.team_closed_agg
    WITH m AS MATERIALIZED (SELECT t.team, unnest(t.owners) AS owner_id
                              FROM crmx.open_team t WHERE t.run_id = run)
    SELECT run, m.team, x.outcome, x.source, x.lost_reason, sum(x.deals), sum(x.amount)
      FROM m JOIN crmx.closed_agg x ON x.owner_id = m.owner_id
     WHERE x.run_id = run AND NOT x.whole
     GROUP BY m.team, x.outcome, x.source, x.lost_reason
     ORDER BY m.team, x.outcome, x.source, x.lost_reason;
    UPDATE crmx.run r SET pipeline_team_sums = true WHERE r.run_id = run;
END $$;
REVOKE ALL ON FUNCTION crmx.store_pipeline_team_sums(bigint) FROM PUBLIC;

-- The latest run's, so that pages use them before the next run (its teams
-- stored, 0057, and its owners' sums, 0052).
DO $$ BEGIN PERFORM crmx.store_pipeline_team_sums(l.run_id) FROM crmx.latest_run l; END $$;
