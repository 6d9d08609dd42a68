-- Marks by row (issue 16).  Since 0037 a change marked its owner for the
-- sums it moves, and the pages then read all of that owner's rows live in
-- place of the run's sums.  Through a working day most reps change a
-- deal and qualify an account, so by the afternoon the executive's pages
-- read nearly everything live again: with one open deal of each of 150
-- reps changed, the pipeline and team view took 2.9 s and 5 s at the 99th
-- percentile under load (0.3 s and 1.4 s right after the run); with one
-- account of each qualified, the regions view answered one request a
-- second, and ten owners' marks already took one region's view from
-- 1,400 to 56 requests a second.
--
-- Deals.  The run now keeps each open deal as its sums counted it
-- (crmx.open_deal: owner, stage, due month, amount, weighted and learned
-- amounts) and sums the pipeline's and the team view's figures from those
-- same rows, so that the sums and the rows agree exactly.  A change to an
-- open deal that leaves it open (crmx.watch's deal column, given with its
-- closed column) marks the deal (crmx.changed_deal) instead of its owner.
-- A page takes each changed deal's stored row out of the sums and adds the
-- deal as it is now (fcgi/queries.c, Q_FUNNEL_AGG and Q_TEAM_AGG).
--
-- Qualifications.  A qualification moves only whether its account is a
-- precise customer: not its owner, region or city, nor the run's figures
-- of it.  The run keeps which accounts it counted precise
-- (crmx.precise_account, with their owner then; the team view's precise
-- customers are summed from them), a table watched with the sums
-- 'precise' (an 'account' table: crmx's qualifications) marks the
-- account (crmx.changed_account) and no owner, and the regions and team
-- views count each marked account's "precise" as it is now in place of as
-- it was (Q_REGIONS_AGG, Q_TEAM_AGG).  The regions view's five largest
-- precise customers per city stay exact: the stored five of each owner
-- lose the marked accounts, which come back as they are now, and an owner
-- one of whose stored five is no longer precise is read whole.  The lists
-- and their counts show the run's grades and count accounts: a
-- qualification changes nothing there.
--
-- The work grows with the rows changed, not with their owners' books.
-- Owners' marks (0037) stay for what a row's mark cannot say: a deal
-- closed or reopened (the closed deals' sums), an account's own changes,
-- a bulk statement, a table watched by owner only (Tryton's deals), an
-- account without an owner.  A row whose owner is marked too is read with
-- that owner's.  Every row mark left is of a change after some run's
-- snapshot: a row marked that did not change since the latest run's adds
-- back exactly what is taken out, so the pages need no snapshot test for
-- these marks; the run deletes the ones its snapshot saw.  Rows are
-- marked only while the latest run kept its rows (crmx.run.row_marks):
-- until the first run after this migration, changes mark their owners as
-- before.

ALTER TABLE crmx.run ADD COLUMN row_marks boolean NOT NULL DEFAULT false;

CREATE TABLE crmx.changed_deal (
    xid             xid8 NOT NULL DEFAULT pg_current_xact_id(),
    opportunity_id  bigint NOT NULL
);
CREATE INDEX changed_deal_id ON crmx.changed_deal (opportunity_id);

-- The latest run's open deals as its sums counted them (earlier runs' go
-- when a run stores its own).
CREATE TABLE crmx.open_deal (
    run_id          bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    opportunity_id  bigint NOT NULL,
    owner_id        bigint,
    stage_rank      integer,
    due_month       date,			-- month of expected_close; NULL: none
    dated           boolean NOT NULL,	-- has a stage_entered_at
    amount          numeric,
    weighted        double precision,	-- amount * probability
    learned         numeric,		-- (amount * the run's learned probability)::numeric
    PRIMARY KEY (run_id, opportunity_id)
);

CREATE TABLE crmx.changed_account (
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    account_id  bigint NOT NULL
);
CREATE INDEX changed_account_id ON crmx.changed_account (account_id);

-- The latest run's precise customers and their owners then (earlier
-- runs' go when a run stores its own).
CREATE TABLE crmx.precise_account (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    account_id  bigint NOT NULL,
    owner_id    bigint,
    PRIMARY KEY (run_id, account_id)
);

-- Which owner's stored five a marked account is among (Q_REGIONS_AGG).
CREATE INDEX region_top_account ON crmx.region_top (run_id, account_id);

-- Writes down deals whose rows changed, once each until a run has seen
-- them.
CREATE FUNCTION crmx.mark_deals(ids bigint[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO crmx.changed_deal (opportunity_id)
    SELECT DISTINCT d FROM unnest(ids) d
     WHERE d IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM crmx.changed_deal c WHERE c.opportunity_id = d)
$$;
REVOKE ALL ON FUNCTION crmx.mark_deals(bigint[]) FROM PUBLIC;

-- Writes down accounts whose qualification changed, once each until a
-- run has seen them.
CREATE FUNCTION crmx.mark_accounts(ids bigint[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO crmx.changed_account (account_id)
    SELECT DISTINCT a FROM unnest(ids) a
     WHERE a IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM crmx.changed_account c WHERE c.account_id = a)
$$;
REVOKE ALL ON FUNCTION crmx.mark_accounts(bigint[]) FROM PUBLIC;

-- 0027's, with the open deals first: the pipeline's sums are summed from
-- them, and the marks of every kind the snapshot saw go.
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
           o.amount, o.amount * o.probability, (o.amount * f.probability)::numeric
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

-- 0027's, keeping the precise customers from the same reading as the
-- regions' sums.
CREATE OR REPLACE FUNCTION crmx.store_region_aggregates(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM crmx.precise_account WHERE run_id <> run;
    WITH s AS MATERIALIZED (SELECT a.account_id, a.name, a.owner_id,
           coalesce(a.region, '') AS region, coalesce(a.city, '') AS city,
           m.revenue_window AS rev, m.open_deals, m.abc_class,
           coalesce(q.has_need AND q.can_pay AND q.has_authority, false) AS precise
      FROM crmx_src.accounts a
      LEFT JOIN crmx.account_metrics m ON m.run_id = run AND m.account_id = a.account_id
      LEFT JOIN crmx.qualification q ON q.account_id = a.account_id),
    pa AS (INSERT INTO crmx.precise_account
      SELECT run, account_id, owner_id FROM s WHERE precise),
    agg AS (INSERT INTO crmx.region_agg
      SELECT run, grouping(owner_id) = 1, owner_id, region, city, count(*),
             count(*) FILTER (WHERE precise), count(*) FILTER (WHERE abc_class = 'A'),
             coalesce(sum(rev), 0), coalesce(sum(open_deals), 0)
        FROM s GROUP BY GROUPING SETS ((owner_id, region, city), (region, city)))
    INSERT INTO crmx.region_top
    SELECT run, owner_id, region, city, account_id, name, rev
      FROM (SELECT s.*, row_number() OVER (PARTITION BY owner_id, region, city
                   ORDER BY rev DESC NULLS LAST, account_id) AS rn FROM s WHERE precise) p
     WHERE rn <= 5;
END $$;

-- 0031's, with the open deals' sums from the run's open deals and the
-- precise customers per owner from the run's (above).
CREATE OR REPLACE FUNCTION crmx.store_team_aggregates(run bigint) RETURNS void
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
    SELECT run, d.owner_id, d.due_month, count(*), count(*) FILTER (WHERE d.dated),
           sum(d.amount), sum(d.weighted::numeric), sum(d.learned)
      FROM crmx.open_deal d
     WHERE d.run_id = run AND d.owner_id IS NOT NULL
     GROUP BY 2, 3;
    INSERT INTO crmx.team_precise
    SELECT run, p.owner_id, count(*) FROM crmx.precise_account p
     WHERE p.run_id = run AND p.owner_id IS NOT NULL
     GROUP BY p.owner_id;
    UPDATE crmx.run r SET team_sums = true WHERE r.run_id = run;
END $$;

-- 0037's trigger, with TG_ARGV[5] the table's deal column ('': none) and
-- the sums 'precise': when the latest run kept its rows, a change that
-- leaves its deals open (no row closed before or after) marks the deals,
-- and a qualification its accounts (each with an owner); their owners are
-- only told (the kept pages).  Else the open deals' or the accounts' sums
-- of the owners, as before.
CREATE OR REPLACE FUNCTION crmx.on_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind text := TG_ARGV[0];
    sums text := CASE WHEN TG_NARGS > 3 THEN TG_ARGV[3] ELSE 'all' END;
    still_open boolean;
    ids bigint[];
    deals bigint[];
    n bigint;
BEGIN
    IF to_regprocedure('crmx_src.change_feed()') IS NULL THEN
        RETURN NULL;	-- the adapter has no feed: nobody keeps pages
    END IF;
    IF sums = 'precise' AND (kind <> 'account' OR TG_OP = 'TRUNCATE') THEN
        sums := 'accounts';
    END IF;
    IF kind <> 'all' AND TG_OP <> 'TRUNCATE' THEN
        -- a bulk statement (an import) changes everything
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %I LIMIT 10001) t',
                       CASE TG_OP WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END) INTO n;
    END IF;
    IF kind = 'all' OR TG_OP = 'TRUNCATE' OR n > 10000 THEN
        IF NOT (TG_TABLE_SCHEMA = 'crmx' AND TG_TABLE_NAME IN ('run', 'user_pref'))
           AND sums <> 'none' THEN
            PERFORM crmx.mark_changed(NULL);	-- a run has its own sums
        END IF;
        PERFORM pg_notify('crmx_changed', '*');
        RETURN NULL;
    END IF;
    IF sums = 'deals' AND TG_NARGS > 4 AND TG_ARGV[4] <> '' THEN
        -- no row closed, before or after: the open deals' sums only
        EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %1$I WHERE %2$I IS NOT NULL)%3$s',
                       CASE TG_OP WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END, TG_ARGV[4],
                       CASE TG_OP WHEN 'UPDATE' THEN format(' AND NOT EXISTS (SELECT 1'
                            ' FROM old_rows WHERE %I IS NOT NULL)', TG_ARGV[4]) ELSE '' END)
           INTO still_open;
        IF still_open THEN
            sums := 'open';
            IF TG_NARGS > 5 AND TG_ARGV[5] <> '' AND coalesce((SELECT r.row_marks
                   FROM crmx.latest_run l JOIN crmx.run r ON r.run_id = l.run_id), false) THEN
                -- the deals themselves, before and after
                EXECUTE format('SELECT array_agg(DISTINCT x) FROM (%s) t',
                               CASE TG_OP
                               WHEN 'INSERT' THEN format('SELECT %I AS x FROM new_rows', TG_ARGV[5])
                               WHEN 'DELETE' THEN format('SELECT %I AS x FROM old_rows', TG_ARGV[5])
                               ELSE format('SELECT %1$I AS x FROM new_rows UNION ALL'
                                           ' SELECT %1$I FROM old_rows', TG_ARGV[5]) END)
                   INTO deals;
                PERFORM crmx.mark_deals(deals);
                sums := 'none';
            END IF;
        END IF;
    END IF;
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM new_rows', TG_ARGV[1]) INTO ids;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM old_rows', TG_ARGV[1]) INTO ids;
    ELSE
        EXECUTE format('SELECT array_agg(DISTINCT x) FROM (SELECT %1$I AS x FROM new_rows'
                       ' UNION ALL SELECT %1$I FROM old_rows) t', TG_ARGV[1]) INTO ids;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;	-- no rows
    END IF;
    IF sums = 'precise' THEN
        -- the accounts themselves, when the latest run kept its precise
        -- customers and each account has an owner
        IF coalesce((SELECT r.row_marks FROM crmx.latest_run l
                       JOIN crmx.run r ON r.run_id = l.run_id), false)
           AND NOT EXISTS (SELECT 1 FROM unnest(ids) i WHERE NOT EXISTS (SELECT 1
                   FROM crmx_src.accounts a WHERE a.account_id = i AND a.owner_id IS NOT NULL)) THEN
            PERFORM crmx.mark_accounts(ids);
            sums := 'none';
        ELSE
            sums := 'accounts';
        END IF;
    END IF;
    IF kind = 'owner' AND TG_NARGS > 2 AND TG_ARGV[2] <> '' THEN
        -- ids of something that maps to owners
        EXECUTE format('SELECT %s($1)', TG_ARGV[2]::regproc) INTO ids USING ids;
    END IF;
    CASE kind
    WHEN 'owner' THEN PERFORM crmx.changed_owners(ids, sums);
    WHEN 'account' THEN PERFORM crmx.changed_accounts(ids, sums);
    WHEN 'deal' THEN PERFORM crmx.changed_deals(ids, sums);
    WHEN 'contact' THEN PERFORM crmx.changed_contacts(ids, sums);
    END CASE;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'crmx change feed: %; telling crmx.fcgi everything changed', SQLERRM;
    PERFORM crmx.mark_changed(NULL);
    PERFORM pg_notify('crmx_changed', '*');
    RETURN NULL;
END $$;

-- crmx.watch('schema.table', kind, column [, owners_of [, sums [, closed
-- [, deal]]]]): 0037's, with the sums 'precise' (an 'account' table's)
-- and the table's deal id column: given with the closed column, a change
-- that leaves its deals open marks the deals.
DROP FUNCTION crmx.watch(regclass, text, text, regproc, text, text);
CREATE FUNCTION crmx.watch(tbl regclass, kind text, col text, owners_of regproc DEFAULT NULL,
                           sums text DEFAULT 'all', closed text DEFAULT NULL,
                           deal text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := 'crmx_changed_' || kind || coalesce('_' || col, '')
                 || CASE WHEN owners_of IS NULL THEN '' ELSE '_via' END;
    args text := CASE WHEN kind = 'all' THEN concat_ws(', ', quote_literal('all'), '''''',
                                                       '''''', quote_literal(sums))
                      ELSE concat_ws(', ', quote_literal(kind), quote_literal(col),
                                     quote_literal(coalesce(owners_of::text, '')),
                                     quote_literal(sums), quote_literal(coalesce(closed, '')),
                                     quote_literal(coalesce(deal, ''))) END;
    ops text[] := ARRAY['INSERT', 'UPDATE', 'DELETE'];
    refs text[] := ARRAY['NEW TABLE AS new_rows', 'NEW TABLE AS new_rows OLD TABLE AS old_rows',
                         'OLD TABLE AS old_rows'];
BEGIN
    IF kind NOT IN ('all', 'owner', 'account', 'deal', 'contact')
       OR (owners_of IS NOT NULL AND kind <> 'owner') THEN
        RAISE EXCEPTION 'crmx.watch: unknown kind % (or owners_of without ''owner'')', kind;
    END IF;
    IF sums IS NULL OR sums NOT IN ('all', 'deals', 'accounts', 'precise', 'none') THEN
        RAISE EXCEPTION 'crmx.watch: unknown sums % (all, deals, accounts, precise or none)', sums;
    END IF;
    IF sums = 'precise' AND kind <> 'account' THEN
        RAISE EXCEPTION 'crmx.watch: the precise customers'' sums are of an account column';
    END IF;
    IF closed IS NOT NULL AND (sums <> 'deals' OR kind = 'all') THEN
        RAISE EXCEPTION 'crmx.watch: a closed column is for the deals'' sums of a column';
    END IF;
    IF deal IS NOT NULL AND closed IS NULL THEN
        RAISE EXCEPTION 'crmx.watch: a deal column needs the closed column';
    END IF;
    IF kind = 'all' THEN
        EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE'
                       ' ON %s FOR EACH STATEMENT EXECUTE FUNCTION crmx.on_change(%s)',
                       name, tbl, args);
        RETURN;
    END IF;
    FOR i IN 1..3 LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER %s ON %s REFERENCING %s'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION crmx.on_change(%s)',
                       name || '_' || lower(left(ops[i], 1)), ops[i], tbl, refs[i], args);
    END LOOP;
    -- a TRUNCATE empties the table: as 'all' with the table's sums
    EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER TRUNCATE ON %s'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION crmx.on_change(''all'', '''', '''', %s)',
                   name || '_t', tbl, quote_literal(sums));
END $$;

-- crmx's qualifications: the precise customers' sums.
DO $$ BEGIN
    PERFORM crmx.watch('crmx.qualification', 'account', 'account_id', NULL, 'precise');
END $$;
