-- A manager's accounts list from the run's first rows per team on a quiet
-- day (issue 16: every page under 50 ms at a million accounts).
--
-- A manager's usual list (by revenue, unfiltered, its first pages) took
-- each owner of the team's best 51 rows from the run's index by owner
-- (fcgi/queries.c ACCOUNTS_OWNED: seven index scans at a million
-- accounts), kept the best 51 of them and then looked each account up by
-- key for its name, region and city, about 400 buffer reads and 0.6 ms
-- of a server process a page.  The run now keeps each team's first
-- TEAM_TOP_ROWS (200) accounts in that order, with what the list shows
-- of them, for the teams of crmx.open_team (0057).  A manager whose scope
-- is exactly a team's users, with no owner of it changed for the
-- accounts' sums since the run and none of the page's accounts marked
-- (renamed, requalified: crmx.changed_account), reads the page's rows by
-- one key (Q_ACCOUNTS_REVENUE_TEAM); on any other day the list reads as
-- before.  The owners' names are read as they are.
--
-- team_top_account: rank 1.. in the list's order (revenue_window DESC
-- NULLS LAST, account_id) among the run's rows of the team's users; the
-- account's name, region, city and owner as the store read them (a
-- change since marks the owner or the account), the rest the run's
-- figures.  run.team_top: the run stored them.

CREATE TABLE crmx.team_top_account (
    run_id          bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    team            text NOT NULL,
    rank            integer NOT NULL,
    account_id      bigint NOT NULL,
    name            text,
    region          text,
    city            text,
    owner_id        bigint,
    abc_class       character(1),
    revenue_window  numeric(18,2),
    hist_ltv        numeric(18,2),
    ltv_pred        double precision,
    p_alive         double precision,
    segment         text,
    qual_grade      character(1),
    open_deals      integer,
    last_activity   timestamp with time zone,
    PRIMARY KEY (run_id, team, rank)
);
ALTER TABLE crmx.run ADD COLUMN team_top boolean NOT NULL DEFAULT false;

-- Called by reportd after crmx.store_panel_aggregates (the teams) in the
-- run's transaction, the run's rows committed before (their partition's
-- index by owner); by this migration for the latest run.  Only one run's
-- are kept, as open_team's.
CREATE FUNCTION crmx.store_team_top(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run
                   AND (r.status = 'running' OR r.run_id = (SELECT l.run_id FROM crmx.latest_run l))) THEN
        RAISE EXCEPTION 'crmx.store_team_top: run % is neither running nor the latest', run;
    END IF;
    DELETE FROM crmx.team_top_account;
    UPDATE crmx.run r SET team_top = false WHERE r.team_top AND r.run_id <> run;
    -- each user's first 200 by the index on (owner, revenue), then the
    -- team's first 200 of those
    INSERT INTO crmx.team_top_account
    SELECT run, t.team, x.rank, x.account_id, a.name, a.region, a.city, a.owner_id, x.abc_class,
           x.revenue_window, x.hist_ltv, x.ltv_pred, x.p_alive, x.segment, x.qual_grade,
           x.open_deals, x.last_activity
      FROM crmx.open_team t
     CROSS JOIN LATERAL (
           SELECT row_number() OVER (ORDER BY y.revenue_window DESC NULLS LAST, y.account_id) AS rank,
                  y.*
             FROM (SELECT z.* FROM unnest(t.owners) u(id) CROSS JOIN LATERAL (
                          SELECT m.account_id, m.abc_class, m.revenue_window, m.hist_ltv,
                                 m.ltv_pred, m.p_alive, m.segment, m.qual_grade, m.open_deals,
                                 m.last_activity
                            FROM crmx.account_metrics m
                           WHERE m.run_id = run AND m.owner_id = u.id
                           ORDER BY m.revenue_window DESC NULLS LAST, m.account_id LIMIT 200) z
                    ORDER BY z.revenue_window DESC NULLS LAST, z.account_id LIMIT 200) y) x
      JOIN crmx_src.accounts a ON a.account_id = x.account_id
     WHERE t.run_id = run
     ORDER BY t.team, x.rank;
    UPDATE crmx.run r SET team_top = true WHERE r.run_id = run;
END $$;
REVOKE ALL ON FUNCTION crmx.store_team_top(bigint) FROM PUBLIC;

DO $$ BEGIN PERFORM crmx.store_team_top(l.run_id) FROM crmx.latest_run l; END $$;
