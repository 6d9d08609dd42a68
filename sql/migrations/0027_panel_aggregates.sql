-- The executive's pages at scale (issue 16): the regions view and the
-- all-scope pipeline (funnel, lost reasons, win rate by source) summed
-- every account or deal on each read.  Now each metric run stores those
-- sums, per owner and over everyone, read from one snapshot it records
-- (crmx.run.panel_snapshot); a page adds, for the owners whose rows
-- changed since (crmx.changed_owner), their figures read live in place of
-- their stored ones: the figures are those of the rows as they are now,
-- exactly as if every row were summed (tests/integration/aggregates.sh).
--
-- Which owners changed: the change feed (0012) already works out the
-- owners of every write to the CRM's tables it watches; here it also
-- writes them down, with the writing transaction's id.  An owner is
-- "changed" for a run when such a transaction is not visible in the
-- run's snapshot (pg_visible_in_snapshot: committed before it or not, so
-- a write that began before the run but committed after it counts).  A
-- write the feed cannot pin to owners (a bulk statement, users, stages,
-- an unowned row) writes NULL: then the pages sum every row again until
-- the next run.  The run deletes the marks its snapshot has seen.

ALTER TABLE crmx.run ADD COLUMN panel_snapshot pg_snapshot,
    ADD COLUMN panel_timezone text;	-- closed_at dates were cut in this zone

CREATE TABLE crmx.changed_owner (
    xid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    owner_id  bigint			-- NULL: any owner
);

-- Per run, per owner (whole = false; owner_id NULL: unowned rows) and
-- over all owners (whole = true, owner_id NULL).
CREATE TABLE crmx.pipeline_agg (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    whole       boolean NOT NULL,
    owner_id    bigint,
    stage_rank  integer,
    due_month   date,			-- month of expected_close; NULL: none
    deals       bigint NOT NULL,
    amount      numeric NOT NULL,
    weighted    double precision	-- sum(amount * probability)
);
CREATE INDEX pipeline_agg_owner ON crmx.pipeline_agg (run_id, whole, owner_id);

CREATE TABLE crmx.closed_agg (		-- deals closed in the run's window
    run_id       bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    whole        boolean NOT NULL,
    owner_id     bigint,
    outcome      text NOT NULL,		-- 'won' or 'lost'
    source       text,
    lost_reason  text,
    deals        bigint NOT NULL,
    amount       numeric NOT NULL
);
CREATE INDEX closed_agg_owner ON crmx.closed_agg (run_id, whole, owner_id);

CREATE TABLE crmx.region_agg (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    whole       boolean NOT NULL,
    owner_id    bigint,
    region      text NOT NULL,		-- '' for none, as the page
    city        text NOT NULL,
    accounts    bigint NOT NULL,
    precise     bigint NOT NULL,
    a_class     bigint NOT NULL,
    revenue     numeric NOT NULL,
    open_deals  bigint NOT NULL
);
CREATE INDEX region_agg_owner ON crmx.region_agg (run_id, whole, owner_id);

-- Each owner's five largest precise customers per region and city: the
-- five largest of any set of owners are among theirs.
CREATE TABLE crmx.region_top (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    owner_id    bigint,
    region      text NOT NULL,
    city        text NOT NULL,
    account_id  bigint NOT NULL,
    name        text,
    revenue     numeric
);
CREATE INDEX region_top_order ON crmx.region_top
    (run_id, region, city, revenue DESC NULLS LAST, account_id);

CREATE INDEX changed_owner_owner ON crmx.changed_owner (owner_id, xid);

-- Writes down owners whose rows changed (NULL among them, or owners
-- NULL: any owner).  An owner already written down by a transaction that
-- began after the latest run's snapshot (xid at or past its xmax: never
-- visible in it) is changed for that run whatever follows, and is not
-- written again: the table holds about one row per changed owner between
-- two runs, not one per write.
CREATE FUNCTION crmx.mark_changed(owners bigint[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    WITH o AS (SELECT DISTINCT o FROM unnest(owners) o WHERE o IS NOT NULL
               UNION ALL
               SELECT NULL WHERE owners IS NULL OR array_position(owners, NULL) IS NOT NULL),
    since AS (SELECT pg_snapshot_xmax(r.panel_snapshot) AS x
                FROM crmx.latest_run l JOIN crmx.run r ON r.run_id = l.run_id)
    INSERT INTO crmx.changed_owner (owner_id)
    SELECT o.o FROM o WHERE o.o IS NOT NULL AND NOT EXISTS (SELECT 1
        FROM crmx.changed_owner c, since WHERE c.owner_id = o.o AND c.xid >= since.x)
    UNION ALL
    SELECT NULL FROM o WHERE o.o IS NULL AND NOT EXISTS (SELECT 1
        FROM crmx.changed_owner c, since WHERE c.owner_id IS NULL AND c.xid >= since.x)
$$;

-- 0012's two functions again, now also writing the owners down (a
-- qualification saved on a panel too: 0012 watches crmx.qualification).
CREATE OR REPLACE FUNCTION crmx.changed_owners(owners bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    PERFORM crmx.mark_changed(owners);
    SELECT string_agg(o::text, ',' ORDER BY o) INTO payload
      FROM (SELECT DISTINCT o FROM unnest(owners) o WHERE o IS NOT NULL) d;
    -- a notification carries at most 8000 bytes
    IF length(payload) > 7000 THEN
        payload := '*';
    END IF;
    PERFORM pg_notify('crmx_changed', coalesce(payload, ''));
END $$;

CREATE OR REPLACE FUNCTION crmx.on_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind text := TG_ARGV[0];
    ids bigint[];
    n bigint;
BEGIN
    IF to_regprocedure('crmx_src.change_feed()') IS NULL THEN
        RETURN NULL;	-- the adapter has no feed: nobody keeps pages
    END IF;
    IF kind <> 'all' AND TG_OP <> 'TRUNCATE' THEN
        -- a bulk statement (an import) changes everything
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %I LIMIT 10001) t',
                       CASE TG_OP WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END) INTO n;
    END IF;
    IF kind = 'all' OR TG_OP = 'TRUNCATE' OR n > 10000 THEN
        IF NOT (TG_TABLE_SCHEMA = 'crmx' AND TG_TABLE_NAME IN ('run', 'user_pref')) THEN
            PERFORM crmx.mark_changed(NULL);	-- a run has its own sums
        END IF;
        PERFORM pg_notify('crmx_changed', '*');
        RETURN NULL;
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
    IF kind = 'owner' AND TG_NARGS > 2 THEN	-- ids of something that maps to owners
        EXECUTE format('SELECT %s($1)', TG_ARGV[2]::regproc) INTO ids USING ids;
    END IF;
    CASE kind
    WHEN 'owner' THEN PERFORM crmx.changed_owners(ids);
    WHEN 'account' THEN PERFORM crmx.changed_accounts(ids);
    WHEN 'deal' THEN PERFORM crmx.changed_deals(ids);
    WHEN 'contact' THEN PERFORM crmx.changed_contacts(ids);
    END CASE;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'crmx change feed: %; telling crmx.fcgi everything changed', SQLERRM;
    PERFORM crmx.mark_changed(NULL);
    PERFORM pg_notify('crmx_changed', '*');
    RETURN NULL;
END $$;

-- The run's sums, read in the store transaction after its per-account rows
-- are in: the snapshot first (every sum below is read at it or later, and
-- what they see beyond it is a write the marks name), then one statement
-- per table, each with its owners' rows and the whole in one reading.
-- Marks the snapshot has seen go.  Runs as the tables' owner: crmx-reportd
-- may only EXECUTE it (admin/roles.c).
CREATE FUNCTION crmx.store_panel_aggregates(run bigint, tz text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    snap pg_snapshot;
BEGIN
    IF tz IS NOT NULL THEN	-- the panels' zone ([reportd] timezone), for this transaction
        PERFORM set_config('TimeZone', tz, true);
    END IF;
    UPDATE crmx.run r SET panel_snapshot = pg_current_snapshot(),
           panel_timezone = current_setting('TimeZone')
     WHERE r.run_id = run AND r.status = 'running' RETURNING r.panel_snapshot INTO snap;
    IF snap IS NULL THEN
        RAISE EXCEPTION 'crmx.store_panel_aggregates: no running run %', run;
    END IF;
    INSERT INTO crmx.pipeline_agg
    SELECT run, grouping(owner_id) = 1, owner_id, stage_rank, due_month, count(*), sum(amount),
           sum(w)
      FROM (SELECT o.owner_id, o.stage_rank, date_trunc('month', o.expected_close)::date AS due_month,
                   o.amount, o.amount * o.probability AS w
              FROM crmx_src.opportunities o WHERE o.outcome = 'open') d
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
END $$;

CREATE FUNCTION crmx.store_region_aggregates(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    WITH s AS MATERIALIZED (SELECT a.account_id, a.name, a.owner_id,
           coalesce(a.region, '') AS region, coalesce(a.city, '') AS city,
           m.revenue_window AS rev, m.open_deals, m.abc_class,
           coalesce(q.has_need AND q.can_pay AND q.has_authority, false) AS precise
      FROM crmx_src.accounts a
      LEFT JOIN crmx.account_metrics m ON m.run_id = run AND m.account_id = a.account_id
      LEFT JOIN crmx.qualification q ON q.account_id = a.account_id),
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

REVOKE ALL ON FUNCTION crmx.store_panel_aggregates(bigint, text),
    crmx.store_region_aggregates(bigint), crmx.mark_changed(bigint[]) FROM PUBLIC;

-- The open deals of every owner (an executive's page of deals; the funnel
-- when the sums cannot serve it) by stage, the columns the pipeline reads
-- included: an index-only scan of the open stages' deals instead of
-- reading every deal (0013's index serves a scope of owners).
CREATE INDEX opportunities_stage_panel ON crmx_native.opportunities (stage)
    INCLUDE (opportunity_id, owner_id, amount, probability, created_at, expected_close,
             stage_entered_at, account_id, name);

-- A scope's owners' stored five (a manager's team, a rep).
CREATE INDEX region_top_owner ON crmx.region_top (run_id, owner_id);
