-- A deal closed marks the deal (issue 16).  Since 0037 a change that
-- closed or reopened a deal marked its owner for both of the deals' sums,
-- the open deals' and the closed ones', and the pipeline and the team
-- view then read all of that owner's open deals live in place of the
-- run's sums (and the pipeline the owner's closed deals of the window).
-- Through a working day most reps win or lose a deal, so by the evening
-- the executive's pages read nearly everything live again: 32 owners so
-- marked took the executive's team view from 20 to 60 ms a request.
--
-- Now, when the latest run kept its open deals (0038's row marks), such a
-- change marks the deals themselves for the open deals' sums: a page
-- takes each one's stored row out and adds it as it is now, which for a
-- deal now closed is nothing.  Its owner is marked only for the closed
-- deals' sums (the new sums 'closed': the pipeline's lost reasons and win
-- rate by source), and only when a row's close date falls in the run's
-- window (window_start to as_of, a day's margin each side for the time
-- zones), before or after the change.  A deal won today after the run
-- that counted until yesterday is in no stored sum of closed deals, so it
-- marks no owner at all.
--
-- Without row marks, as before: the owner for both ('deals').

ALTER TABLE crmx.changed_owner DROP CONSTRAINT changed_owner_sums_check;
ALTER TABLE crmx.changed_owner ADD CONSTRAINT changed_owner_sums_check
    CHECK (sums IN ('all', 'deals', 'open', 'closed', 'accounts'));

-- 0037's, where 'deals' also covers 'closed'.
CREATE OR REPLACE FUNCTION crmx.mark_changed(owners bigint[], sums text DEFAULT 'all') RETURNS void
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
         AND (c.sums IN ('all', k.sums) OR (c.sums = 'deals' AND k.sums IN ('open', 'closed'))))
$$;

-- 0039's trigger, with a deal closed or opened marked by row (above).
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
    cols text;
    all_cols text;
    moved boolean;
    by_rows boolean;
    win_from date;
    win_to date;
    in_window boolean;
    moved_sql constant text := 'SELECT EXISTS (SELECT %1$s FROM new_rows EXCEPT ALL'
                               ' SELECT %1$s FROM old_rows)';
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
    IF TG_OP = 'UPDATE' AND TG_NARGS > 6 AND TG_ARGV[6] <> '' AND sums <> 'none' THEN
        -- Whether the rows moved in the columns the sums read (TG_ARGV[6]):
        -- new rows less old rows, as multisets, is not empty.  First in
        -- those but the ones read of the account alone (TG_ARGV[7], by
        -- crmx.watch only of an account's sums), then in all of them.
        -- Neither: only the pages are told; the account's own alone: the
        -- accounts are marked, as a qualification marks them ('precise'
        -- below), their owners not.
        SELECT string_agg(format('%I', c), ', ') FILTER (WHERE c <> ALL (own)),
               string_agg(format('%I', c), ', ')
          INTO cols, all_cols
          FROM unnest(string_to_array(TG_ARGV[6], ',')) c,
               string_to_array(CASE WHEN TG_NARGS > 7 THEN TG_ARGV[7] ELSE '' END, ',') own;
        EXECUTE format(moved_sql, cols) INTO moved;
        IF NOT moved THEN
            IF cols <> all_cols THEN
                EXECUTE format(moved_sql, all_cols) INTO moved;
            END IF;
            sums := CASE WHEN moved THEN 'precise' ELSE 'none' END;
        END IF;
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
        SELECT r.row_marks, r.window_start, r.as_of INTO by_rows, win_from, win_to
          FROM crmx.latest_run l JOIN crmx.run r ON r.run_id = l.run_id;
        IF TG_NARGS > 5 AND TG_ARGV[5] <> '' AND coalesce(by_rows, false) THEN
            -- the deals themselves, before and after: the open deals'
            -- sums by row, also of a deal closed or opened (0041)
            EXECUTE format('SELECT array_agg(DISTINCT x) FROM (%s) t',
                           CASE TG_OP
                           WHEN 'INSERT' THEN format('SELECT %I AS x FROM new_rows', TG_ARGV[5])
                           WHEN 'DELETE' THEN format('SELECT %I AS x FROM old_rows', TG_ARGV[5])
                           ELSE format('SELECT %1$I AS x FROM new_rows UNION ALL'
                                       ' SELECT %1$I FROM old_rows', TG_ARGV[5]) END)
               INTO deals;
            PERFORM crmx.mark_deals(deals);
            sums := 'none';
            IF NOT still_open THEN
                -- the closed deals' sums count the deals closed in the
                -- run's window: a row closed within it (a day's margin
                -- each side for the time zones), before or after, marks
                -- its owner for them ('closed'); one closed after it, as
                -- a deal won today after the run, for none
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM (%s) t WHERE t.c IS NOT NULL'
                               ' AND t.c::date >= $1 - 1 AND t.c::date <= $2 + 1)',
                               CASE TG_OP
                               WHEN 'INSERT' THEN format('SELECT %I AS c FROM new_rows', TG_ARGV[4])
                               WHEN 'DELETE' THEN format('SELECT %I AS c FROM old_rows', TG_ARGV[4])
                               ELSE format('SELECT %1$I AS c FROM new_rows UNION ALL'
                                           ' SELECT %1$I FROM old_rows', TG_ARGV[4]) END)
                   INTO in_window USING win_from, win_to;
                IF in_window THEN
                    sums := 'closed';
                END IF;
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

