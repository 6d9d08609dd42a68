-- A rep's accounts list from the run's first rows per owner on a quiet
-- day (issue 16: every page under 50 ms at a million accounts), as a
-- manager's from the team's (0061).
--
-- A rep's usual list (by revenue, unfiltered, its first two pages of 50)
-- read the rep's best rows from the run's index by owner and then each
-- account by key for its name, region and city: 0.4 ms of a server
-- process a page at a million accounts.  The run now keeps each user's
-- first OWNER_TOP_ROWS (100) accounts in that order, with what the list
-- shows of them; a viewer whose scope is that one owner, not changed for
-- the accounts' sums since the run, with none of the page's accounts
-- marked, reads the page's rows by one key (Q_ACCOUNTS_REVENUE_OWNER,
-- 0.2 ms); on any other day the list reads as before.
--
-- owner_top_account: as team_top_account (0061), per owner of the run's
-- rows who is a user.  run.owner_top: the run stored them.

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
ALTER TABLE crmx.run ADD COLUMN owner_top boolean NOT NULL DEFAULT false;

-- Called by reportd after the run's rows are committed (their partition's
-- index by owner), in the run's transaction; by this migration for the
-- latest run.  Only one run's are kept.
CREATE FUNCTION crmx.store_owner_top(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run
                   AND (r.status = 'running' OR r.run_id = (SELECT l.run_id FROM crmx.latest_run l))) THEN
        RAISE EXCEPTION 'crmx.store_owner_top: run % is neither running nor the latest', run;
    END IF;
    DELETE FROM crmx.owner_top_account;
    UPDATE crmx.run r SET owner_top = false WHERE r.owner_top AND r.run_id <> run;
    -- each user's first 100 by the index on (owner, revenue)
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
            ORDER BY m.revenue_window DESC NULLS LAST, m.account_id LIMIT 100) x
      JOIN crmx_src.accounts a ON a.account_id = x.account_id
     ORDER BY u.user_id, x.rank;
    UPDATE crmx.run r SET owner_top = true WHERE r.run_id = run;
END $$;
REVOKE ALL ON FUNCTION crmx.store_owner_top(bigint) FROM PUBLIC;

DO $$ BEGIN PERFORM crmx.store_owner_top(l.run_id) FROM crmx.latest_run l; END $$;
