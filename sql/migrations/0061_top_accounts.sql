-- A rep's and a manager's usual accounts list from the run's first rows on
-- a quiet day (issue 16: every page under 50 ms at a million accounts).
--
-- A scope's list by revenue read each owner's best rows from the run's
-- index by owner (fcgi/queries.c ACCOUNTS_OWNED: seven index scans for a
-- manager's team at a million accounts), kept the best of them and then
-- looked each of the page's accounts up by key for its name, region and
-- city: about 400 buffer reads and 0.6 ms of a server process a manager's
-- page, 0.4 a rep's.  The run now keeps the first TOP_ROWS (51: a first
-- page of 50 and whether there is another) of each user's list, with what
-- the list shows of them, and of each team's of crmx.open_team (0057),
-- made from its users' (a team's first 51 are among its users' first 51
-- each).  A viewer whose scope is one owner or exactly a team's users, no
-- owner of it changed for the accounts' sums since the run and none of
-- the page's accounts marked (renamed, requalified: crmx.changed_account),
-- reads the page's rows by one key (Q_ACCOUNTS_REVENUE_OWNER,
-- Q_ACCOUNTS_REVENUE_TEAM, 0.2 ms); on any other day, or for a deeper
-- page, the list reads as before.  The owners' names are read as they
-- are.  Both take about 0.7 s of a run's store at a million accounts.
--
-- owner_top_account, team_top_account: rank 1.. in the list's order
-- (revenue_window DESC NULLS LAST, account_id) among the run's rows of the
-- owner, of the team's users; the account's name, region, city (and the
-- team's row its owner) as the store read them (a change since marks the
-- owner or the account), the rest the run's figures.  run.top_accounts:
-- the run stored them.

CREATE TABLE crmx.owner_top_account (
    run_id          bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    owner_id        bigint NOT NULL,
    rank            integer NOT NULL,
    account_id      bigint NOT NULL,
    name            text,
    region          text,
    city            text,
    abc_class       character(1),
    revenue_window  numeric(18,2),
    hist_ltv        numeric(18,2),
    ltv_pred        double precision,
    p_alive         double precision,
    segment         text,
    qual_grade      character(1),
    open_deals      integer,
    last_activity   timestamp with time zone,
    PRIMARY KEY (run_id, owner_id, rank)
);
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
ALTER TABLE crmx.run ADD COLUMN top_accounts boolean NOT NULL DEFAULT false;

-- Each team's first 51 from its users' (crmx.store_top_accounts): the
-- teams' users (m) and the users' rows joined by hashing, sorted by team
-- (in the run's transaction the statistics do not know the rows yet).
CREATE FUNCTION crmx.store_team_top_accounts(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET enable_nestloop = off SET jit = off
AS $$
BEGIN
    INSERT INTO crmx.team_top_account
    SELECT run, x.team, x.rk, x.account_id, x.name, x.region, x.city, x.owner_id, x.abc_class,
           x.revenue_window, x.hist_ltv, x.ltv_pred, x.p_alive, x.segment, x.qual_grade,
           x.open_deals, x.last_activity
      FROM (WITH m AS MATERIALIZED (SELECT t.team, unnest(t.owners) AS owner_id
                                      FROM crmx.open_team t WHERE t.run_id = run)
            SELECT m.team, o.account_id, o.name, o.region, o.city, o.owner_id, o.abc_class,
                   o.revenue_window, o.hist_ltv, o.ltv_pred, o.p_alive, o.segment, o.qual_grade,
                   o.open_deals, o.last_activity,
                   row_number() OVER (PARTITION BY m.team
                                      ORDER BY o.revenue_window DESC NULLS LAST, o.account_id) AS rk
              FROM m JOIN crmx.owner_top_account o ON o.owner_id = m.owner_id
             WHERE o.run_id = run) x
     WHERE x.rk <= 51
     ORDER BY x.team, x.rk;
END $$;
REVOKE ALL ON FUNCTION crmx.store_team_top_accounts(bigint) FROM PUBLIC;

-- Called by reportd after crmx.store_panel_aggregates (the teams), the
-- run's rows committed before (their partition's index by owner), in the
-- run's transaction; by this migration for the latest run.  Only one
-- run's are kept, as open_team's.
CREATE FUNCTION crmx.store_top_accounts(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run
                   AND (r.status = 'running' OR r.run_id = (SELECT l.run_id FROM crmx.latest_run l))) THEN
        RAISE EXCEPTION 'crmx.store_top_accounts: run % is neither running nor the latest', run;
    END IF;
    DELETE FROM crmx.owner_top_account;
    DELETE FROM crmx.team_top_account;
    UPDATE crmx.run r SET top_accounts = false WHERE r.top_accounts AND r.run_id <> run;
    -- each user's first 51 by the index on (owner, revenue)
    INSERT INTO crmx.owner_top_account
    SELECT run, u.user_id, x.rank, x.account_id, a.name, a.region, a.city, x.abc_class,
           x.revenue_window, x.hist_ltv, x.ltv_pred, x.p_alive, x.segment, x.qual_grade,
           x.open_deals, x.last_activity
      FROM (SELECT DISTINCT s.user_id FROM crmx_src.users s WHERE s.user_id IS NOT NULL) u
     CROSS JOIN LATERAL (
           SELECT row_number() OVER (ORDER BY m.revenue_window DESC NULLS LAST, m.account_id) AS rank,
                  m.account_id, m.abc_class, m.revenue_window, m.hist_ltv, m.ltv_pred, m.p_alive,
                  m.segment, m.qual_grade, m.open_deals, m.last_activity
             FROM crmx.account_metrics m
            WHERE m.run_id = run AND m.owner_id = u.user_id
            ORDER BY m.revenue_window DESC NULLS LAST, m.account_id LIMIT 51) x
      JOIN crmx_src.accounts a ON a.account_id = x.account_id
     ORDER BY u.user_id, x.rank;
    PERFORM crmx.store_team_top_accounts(run);
    UPDATE crmx.run r SET top_accounts = true WHERE r.run_id = run;
END $$;
REVOKE ALL ON FUNCTION crmx.store_top_accounts(bigint) FROM PUBLIC;

DO $$ BEGIN PERFORM crmx.store_top_accounts(l.run_id) FROM crmx.latest_run l; END $$;
