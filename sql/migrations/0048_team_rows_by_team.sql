-- An executive's team view from sums stored per team (issue 16).  The
-- page shows one row per team, but it summed every rep's rows: the open
-- deals by owner and due month (5,600 rows at a million accounts), the
-- owners' metrics and the forecast accuracy by owner and month (7,020):
-- 1.0 s at the 99th percentile at 64 connections, 67 requests a second.
-- Now the run also stores those sums per team, over the users it showed
-- as each team's reps (role 'rep', or an owner of open deals), with each
-- user's team and role as it grouped them.  A page takes the stored
-- sums and the changes since, as the sums per owner do (0037, 0038):
-- each changed deal's stored row out of its owner's team and the deal as
-- it is now into its owner's, each changed account's precise customer
-- too; the owners marked whole are read per rep in place of their stored
-- rows, and so are the users whose team or role is not the one stored,
-- who were added or removed, or who are not reps and own a changed deal
-- (whether they are shown may change with it) (fcgi/team.c).  The open
-- deals per team are summed from the run's open deals (crmx.open_deal),
-- the rows a changed deal's are taken out of.  Counts of known values
-- travel with sums that may be unknown (NULL), so that a sum less some
-- rows is unknown when none of the rest knew it.

ALTER TABLE crmx.run ADD COLUMN team_rows boolean NOT NULL DEFAULT false;

-- Every user as the run grouped them: team ('' for none), role, and
-- whether the team view showed them as a rep.
CREATE TABLE crmx.team_member (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    owner_id    bigint NOT NULL,
    team        text NOT NULL,
    role        text,
    shown       boolean NOT NULL,
    PRIMARY KEY (run_id, owner_id)
);

-- The shown members' open deals by team and due month (crmx.open_deal's
-- rows summed by team); learned_n: how many of them had a learned
-- probability.
CREATE TABLE crmx.team_open (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    team        text NOT NULL,
    due_month   date,
    deals       bigint NOT NULL,
    dated       bigint NOT NULL,
    amount      numeric NOT NULL,
    weighted    numeric,
    learned     numeric,
    learned_n   bigint NOT NULL
);
CREATE INDEX team_open_run ON crmx.team_open (run_id);

-- Per team: the shown members (reps), those with the run's metrics
-- (metrics_n: revenue and activity are known), the bases of the rates the
-- page works out (won and lost deals, open deals and those with the key
-- person reached, for members whose coverage is known), precise customers.
CREATE TABLE crmx.team_base (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    team        text NOT NULL,
    reps        bigint NOT NULL,
    metrics_n   bigint NOT NULL,
    revenue     numeric NOT NULL,
    activity_minutes numeric NOT NULL,
    won         bigint NOT NULL,
    lost        bigint NOT NULL,
    cov_open    bigint NOT NULL,
    covered     numeric NOT NULL,
    precise     bigint NOT NULL,
    PRIMARY KEY (run_id, team)
);

-- Per team and month: the forecast accuracy's won amount and forecast
-- (crmx.won_month's rows summed by team).
CREATE TABLE crmx.team_month (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    team        text NOT NULL,
    month       date NOT NULL,
    won         numeric NOT NULL,
    forecast    numeric NOT NULL,
    PRIMARY KEY (run_id, team, month)
);

-- The run's sums per team, from its open deals and sums per owner (0038,
-- 0031, 0044), in its store transaction after those; a run without them
-- stores none.  Only the latest run's are read: earlier runs' go.
CREATE FUNCTION crmx.store_team_rows(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM crmx.team_member WHERE run_id <> run;
    DELETE FROM crmx.team_open WHERE run_id <> run;
    DELETE FROM crmx.team_base WHERE run_id <> run;
    DELETE FROM crmx.team_month WHERE run_id <> run;
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.team_sums
                   AND r.won_months AND NOT r.team_rows) THEN
        RETURN;		-- no sums per owner to sum (or stored already)
    END IF;
    INSERT INTO crmx.team_member
    SELECT run, u.user_id, coalesce(u.team, ''), u.role,
           coalesce(u.role = 'rep', false) OR EXISTS (SELECT 1 FROM crmx.open_deal x
                                      WHERE x.run_id = run AND x.owner_id = u.user_id)
      FROM crmx_src.users u;
    INSERT INTO crmx.team_open
    SELECT run, m.team, x.due_month, count(*), count(*) FILTER (WHERE x.dated),
           sum(x.amount), sum(x.weighted::numeric), sum(x.learned), count(x.learned)
      FROM crmx.open_deal x
      JOIN crmx.team_member m ON m.run_id = run AND m.owner_id = x.owner_id AND m.shown
     WHERE x.run_id = run
     GROUP BY 2, 3;
    INSERT INTO crmx.team_base
    SELECT run, m.team, count(*), count(o.owner_id), coalesce(sum(o.revenue), 0),
           coalesce(sum(o.activity_minutes), 0), coalesce(sum(o.won), 0),
           coalesce(sum(o.lost), 0),
           coalesce(sum(o.open_deals) FILTER (WHERE o.key_person_coverage IS NOT NULL
                                               AND o.open_deals > 0), 0),
           coalesce(sum(round(o.key_person_coverage * o.open_deals))
                    FILTER (WHERE o.open_deals > 0), 0),
           coalesce(sum(p.precise), 0)
      FROM crmx.team_member m
      LEFT JOIN crmx.owner_metrics o ON o.run_id = run AND o.owner_id = m.owner_id
      LEFT JOIN crmx.team_precise p ON p.run_id = run AND p.owner_id = m.owner_id
     WHERE m.run_id = run AND m.shown
     GROUP BY 2;
    INSERT INTO crmx.team_month
    SELECT run, m.team, w.month, sum(w.won), sum(w.forecast)
      FROM crmx.won_month w
      JOIN crmx.team_member m ON m.run_id = run AND m.owner_id = w.owner_id AND m.shown
     WHERE w.run_id = run
     GROUP BY 2, 3;
    UPDATE crmx.run r SET team_rows = true WHERE r.run_id = run;
END $$;
REVOKE ALL ON FUNCTION crmx.store_team_rows(bigint) FROM PUBLIC;

-- The latest run's, so that pages use them before the next run.
DO $$ BEGIN PERFORM crmx.store_team_rows(r.run_id) FROM crmx.latest_run r; END $$;
