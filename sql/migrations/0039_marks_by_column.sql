-- Marks by column (issue 16).  Any change to a watched row marked its
-- owner (or account, or deal) for the table's sums, also when it changed
-- only columns no sum reads: an account's industry in the native tables,
-- a Tryton address's street or a party's write date (Tryton writes it on
-- every save).  Each such mark made the executive's pages read that
-- owner's rows live until the next run (ten owners: one region's view from
-- 1,400 to 56 requests a second).  crmx.watch now takes the columns the
-- sums read; an UPDATE that leaves them the same in every row marks
-- nothing and only tells the kept pages (the account page shows the
-- industry).  Without the columns, as before: every change marks.
-- An account renamed marks the account itself, as a qualification does
-- (0038): the stored sums hold its name only among a city's five largest
-- precise customers (crmx.region_top), which the regions view takes out
-- for a marked account and reads as it is now (fcgi/queries.c,
-- CHANGED_ACCOUNTS); its region, city or owner changed still marks the
-- owner.  The adapters pass them (crmx-admin adapter after this
-- migration).

-- 0038's trigger, with TG_ARGV[6] the columns the table's sums read
-- (comma-separated, '': all) and TG_ARGV[7] those of them that a page
-- reads of the account alone.
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
-- [, deal [, moves [, by_row]]]]]]): 0038's, with the columns the sums
-- read, and of those the ones whose change alone marks the account
-- itself (an 'account' table's, of the accounts' sums).
DROP FUNCTION crmx.watch(regclass, text, text, regproc, text, text, text);
CREATE FUNCTION crmx.watch(tbl regclass, kind text, col text, owners_of regproc DEFAULT NULL,
                           sums text DEFAULT 'all', closed text DEFAULT NULL,
                           deal text DEFAULT NULL, moves text[] DEFAULT NULL,
                           by_row text[] DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := 'crmx_changed_' || kind || coalesce('_' || col, '')
                 || CASE WHEN owners_of IS NULL THEN '' ELSE '_via' END;
    args text := CASE WHEN kind = 'all' THEN concat_ws(', ', quote_literal('all'), '''''',
                                                       '''''', quote_literal(sums))
                      ELSE concat_ws(', ', quote_literal(kind), quote_literal(col),
                                     quote_literal(coalesce(owners_of::text, '')),
                                     quote_literal(sums), quote_literal(coalesce(closed, '')),
                                     quote_literal(coalesce(deal, '')),
                                     quote_literal(coalesce(array_to_string(moves, ','), '')),
                                     quote_literal(coalesce(array_to_string(by_row, ','), ''))) END;
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
    IF moves IS NOT NULL AND (kind = 'all' OR cardinality(moves) = 0
       OR EXISTS (SELECT 1 FROM unnest(moves) m WHERE m IS NULL OR m LIKE '%,%'
                  OR NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = tbl
                                 AND a.attname = m AND a.attnum > 0 AND NOT a.attisdropped))) THEN
        RAISE EXCEPTION 'crmx.watch: the columns the sums read must be columns of %', tbl;
    END IF;
    IF by_row IS NOT NULL AND (kind <> 'account' OR sums <> 'accounts' OR moves IS NULL
       OR cardinality(by_row) = 0 OR NOT by_row <@ moves OR moves <@ by_row) THEN
        RAISE EXCEPTION 'crmx.watch: by_row names some of the moves of an account''s sums';
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
