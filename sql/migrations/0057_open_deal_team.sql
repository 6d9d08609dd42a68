-- A manager's pipeline by priority from the index, as an executive's
-- (0055; issue 16: every page under 50 ms at a million accounts).
--
-- A manager's page ranked every stored open deal of the team's owners by
-- today's priority to show the first hundred (654 rows at a million
-- accounts, read from the index by owner and sorted: 0.3 ms of a server
-- process, a third of what PostgreSQL did for the page).  The run now
-- stores each open deal's owner's team (open_deal.team) and each team's
-- users (crmx.open_team: their ids in order), both from one reading of
-- the users.  A viewer whose owners are exactly a team's users as the
-- run read them (a manager's scope: the users of the team) sees exactly
-- that team's stored rows, so the floor of 0055 works per team from an
-- index by team and stored priority (fcgi/queries.c
-- Q_PIPELINE_TEAM_PRIO_RUN): the k best by stored priority give the
-- floor, and only the rows above it are ranked.  Teams changed since the
-- run, in a table the change feed does not watch, no longer match the
-- stored users and are ranked by owner as before.
--
-- team: the owner's team as the run read the users (NULL: none, or not a
-- user); open_team.owners: the ids of the users of the team, ascending.
ALTER TABLE crmx.open_deal ADD COLUMN team text;
CREATE TABLE crmx.open_team (
    run_id  bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    team    text NOT NULL,
    owners  bigint[] NOT NULL,
    PRIMARY KEY (run_id, team)
);
CREATE INDEX open_team_owners ON crmx.open_team (run_id, owners);
-- What the ranking reads, as open_deal_prio (0055), per team.
CREATE INDEX open_deal_team ON crmx.open_deal (run_id, team, prio DESC)
    INCLUDE (opportunity_id, owner_id, weighted, entered, probability);

-- The rows stored before: their teams as the users are now (both from
-- one reading: what matters is that the rows and the teams agree).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM crmx.open_deal) THEN
        EXECUTE $q$
            WITH u AS MATERIALIZED (SELECT u.user_id, u.team FROM crmx_src.users u),
            t AS (INSERT INTO crmx.open_team
                  SELECT r.run_id, u.team, array_agg(u.user_id ORDER BY u.user_id)
                    FROM u, (SELECT DISTINCT x.run_id FROM crmx.open_deal x) r
                   WHERE u.team IS NOT NULL AND u.user_id IS NOT NULL GROUP BY r.run_id, u.team)
            UPDATE crmx.open_deal x SET team = ut.team
              FROM (SELECT u.user_id, min(u.team) AS team FROM u GROUP BY u.user_id) ut
             WHERE ut.user_id = x.owner_id$q$;
    END IF;
END $$;

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
    DELETE FROM crmx.open_team WHERE run_id <> run;
    -- the priority as fcgi/queries.c PDEAL_PRIO computes it, on this day;
    -- each deal's owner's team and each team's users from one reading of
    -- the users (one statement)
    WITH u AS MATERIALIZED (SELECT u.user_id, u.team FROM crmx_src.users u),
    t AS (INSERT INTO crmx.open_team
          SELECT run, u.team, array_agg(u.user_id ORDER BY u.user_id)
            FROM u WHERE u.team IS NOT NULL AND u.user_id IS NOT NULL GROUP BY u.team)
    INSERT INTO crmx.open_deal
    SELECT run, o.opportunity_id, o.owner_id, o.stage_rank,
           date_trunc('month', o.expected_close)::date, o.stage_entered_at IS NOT NULL,
           o.amount, o.amount * o.probability, (o.amount * f.probability)::numeric,
           f.probability, o.stage_entered_at::date,
           coalesce(o.amount::float8 * o.probability, 0)
             / (1 + greatest(current_date - o.stage_entered_at::date, 0) / 30.0::float8),
           o.name, o.account_id, a.name, o.stage, o.probability, ut.team
      FROM crmx_src.opportunities o
      LEFT JOIN (SELECT u.user_id, min(u.team) AS team FROM u GROUP BY u.user_id) ut
        ON ut.user_id = o.owner_id
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
