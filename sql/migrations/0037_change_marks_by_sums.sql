-- Marks by the sums a change touches (issue 16).  Until now every write
-- the change feed saw marked its owners changed (0027), and the panels
-- then read all of those owners' rows live in place of the run's sums:
-- an invoice, a contact, a deal review or a stage moved made the regions
-- view and the accounts lists read the owner's accounts live, and a
-- qualification saved made the pipeline read the owner's deals.  After a
-- busy morning (147 owners) an executive's regions view took 1.8 s.
--
-- Now each watched table says which of the run's sums its rows go into:
--   'deals'     the deals' sums: the open deals' (pipeline, the team
--               view) and those of the deals closed in the run's window
--               (lost reasons, win rate by source).  Given the table's
--               column that a closed deal has set (crmx.watch's closed),
--               a statement none of whose rows has it set, before or
--               after, moves the open deals' sums only ('open'): moving
--               an open deal no longer makes the pipeline read the
--               owner's twelve months of closed deals live,
--   'accounts'  the accounts' sums (regions, the lists by owner and their
--               counts, the team view's precise customers),
--   'all'       both (the default, and what a trigger made before this
--               migration says),
--   'none'      neither (revenue, contacts, reviews: the run's figures
--               of them are the run's, whatever changes after it).
-- A mark records its sums; the panels read live only the owners marked
-- for the sums a page adds up (fcgi/panelagg.c).  A write the feed cannot
-- pin to owners still marks NULL: every sum is read live until the next
-- run.  Pages are still told of every change (pg_notify), whatever its
-- sums: the kept pages show more than the sums.

ALTER TABLE crmx.changed_owner ADD COLUMN sums text NOT NULL DEFAULT 'all'
    CHECK (sums IN ('all', 'deals', 'open', 'accounts'));

-- Writes down owners whose rows changed for SUMS (see above; 'none'
-- writes nothing), once per owner and sums between two runs ('all'
-- covers every other, 'deals' covers 'open').
DROP FUNCTION crmx.mark_changed(bigint[]);
CREATE FUNCTION crmx.mark_changed(owners bigint[], sums text DEFAULT 'all') RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    WITH o AS (SELECT DISTINCT o FROM unnest(owners) o WHERE o IS NOT NULL
               UNION ALL
               SELECT NULL WHERE owners IS NULL OR array_position(owners, NULL) IS NOT NULL),
    -- an unowned row (NULL): every sum, as in 0027
    k AS (SELECT CASE WHEN o.o IS NULL THEN 'all' ELSE sums END AS sums, o.o
            FROM o WHERE sums <> 'none'),
    since AS (SELECT pg_snapshot_xmax(r.panel_snapshot) AS x
                FROM crmx.latest_run l JOIN crmx.run r ON r.run_id = l.run_id)
    INSERT INTO crmx.changed_owner (owner_id, sums)
    SELECT k.o, k.sums FROM k WHERE NOT EXISTS (SELECT 1
        FROM crmx.changed_owner c, since
       WHERE c.owner_id IS NOT DISTINCT FROM k.o AND c.xid >= since.x
         AND (c.sums IN ('all', k.sums) OR (c.sums = 'deals' AND k.sums = 'open')))
$$;
REVOKE ALL ON FUNCTION crmx.mark_changed(bigint[], text) FROM PUBLIC;

DROP FUNCTION crmx.changed_owners(bigint[]);
CREATE FUNCTION crmx.changed_owners(owners bigint[], sums text DEFAULT 'all') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    PERFORM crmx.mark_changed(owners, sums);
    SELECT string_agg(o::text, ',' ORDER BY o) INTO payload
      FROM (SELECT DISTINCT o FROM unnest(owners) o WHERE o IS NOT NULL) d;
    -- a notification carries at most 8000 bytes
    IF length(payload) > 7000 THEN
        payload := '*';
    END IF;
    PERFORM pg_notify('crmx_changed', coalesce(payload, ''));
END $$;

-- Rows about accounts: their owners, and the owners of their deals (whose
-- deal panels show the account's name and its decision maker).
DROP FUNCTION crmx.changed_accounts(bigint[]);
CREATE FUNCTION crmx.changed_accounts(ids bigint[], sums text DEFAULT 'all') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM crmx.changed_owners(ARRAY(
        SELECT owner_id FROM crmx_src.accounts WHERE account_id = ANY (ids)
        UNION SELECT owner_id FROM crmx_src.opportunities WHERE account_id = ANY (ids)), sums);
END $$;

DROP FUNCTION crmx.changed_deals(bigint[]);
CREATE FUNCTION crmx.changed_deals(ids bigint[], sums text DEFAULT 'all') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM crmx.changed_owners(ARRAY(
        SELECT owner_id FROM crmx_src.opportunities WHERE opportunity_id = ANY (ids)), sums);
END $$;

DROP FUNCTION crmx.changed_contacts(bigint[]);
CREATE FUNCTION crmx.changed_contacts(ids bigint[], sums text DEFAULT 'all') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM crmx.changed_accounts(ARRAY(
        SELECT account_id FROM crmx_src.contacts WHERE contact_id = ANY (ids)), sums);
END $$;

-- The trigger, as 0027's, with TG_ARGV[3] the sums ('' in TG_ARGV[2]: no
-- function maps the ids to owners) and TG_ARGV[4] the closed column ('':
-- none).  A trigger made before this migration has at most three
-- arguments: 'all' sums.
CREATE OR REPLACE FUNCTION crmx.on_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind text := TG_ARGV[0];
    sums text := CASE WHEN TG_NARGS > 3 THEN TG_ARGV[3] ELSE 'all' END;
    still_open boolean;
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

-- crmx.watch('schema.table', kind, column [, owners_of [, sums [, closed]]]):
-- 0012's, with the sums the table's rows go into and, for 'deals', the
-- table's column set on a closed deal (above).
DROP FUNCTION crmx.watch(regclass, text, text, regproc);
CREATE FUNCTION crmx.watch(tbl regclass, kind text, col text, owners_of regproc DEFAULT NULL,
                           sums text DEFAULT 'all', closed text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := 'crmx_changed_' || kind || coalesce('_' || col, '')
                 || CASE WHEN owners_of IS NULL THEN '' ELSE '_via' END;
    args text := CASE WHEN kind = 'all' THEN concat_ws(', ', quote_literal('all'), '''''',
                                                       '''''', quote_literal(sums))
                      ELSE concat_ws(', ', quote_literal(kind), quote_literal(col),
                                     quote_literal(coalesce(owners_of::text, '')),
                                     quote_literal(sums), quote_literal(coalesce(closed, ''))) END;
    ops text[] := ARRAY['INSERT', 'UPDATE', 'DELETE'];
    refs text[] := ARRAY['NEW TABLE AS new_rows', 'NEW TABLE AS new_rows OLD TABLE AS old_rows',
                         'OLD TABLE AS old_rows'];
BEGIN
    IF kind NOT IN ('all', 'owner', 'account', 'deal', 'contact')
       OR (owners_of IS NOT NULL AND kind <> 'owner') THEN
        RAISE EXCEPTION 'crmx.watch: unknown kind % (or owners_of without ''owner'')', kind;
    END IF;
    IF sums IS NULL OR sums NOT IN ('all', 'deals', 'accounts', 'none') THEN
        RAISE EXCEPTION 'crmx.watch: unknown sums % (all, deals, accounts or none)', sums;
    END IF;
    IF closed IS NOT NULL AND (sums <> 'deals' OR kind = 'all') THEN
        RAISE EXCEPTION 'crmx.watch: a closed column is for the deals'' sums of a column';
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

-- crmx's own records: a qualification makes a precise customer; its
-- history, reviews and contact roles go into no stored sum.
DO $$ BEGIN
    PERFORM crmx.watch('crmx.qualification', 'account', 'account_id', NULL, 'accounts');
    PERFORM crmx.watch('crmx.qualification_history', 'account', 'account_id', NULL, 'none');
    PERFORM crmx.watch('crmx.deal_review', 'deal', 'opportunity_id', NULL, 'none');
    PERFORM crmx.watch('crmx.contact_role', 'contact', 'contact_id', NULL, 'none');
END $$;
