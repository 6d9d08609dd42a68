-- The change feed (0012) for CRMs whose rows name an owner indirectly
-- (Tryton: a deal names an employee; the owner is that employee's user).
-- crmx.watch_mapped(table, column, function) watches a column of such ids:
-- the old and new values of a statement's rows go through the function
-- (bigint[] -> bigint[] of owners) and those owners are named.
-- The triggers sit on the CRM's own tables: whatever goes wrong in working
-- out the owners must not fail the CRM's write, so it says '*' instead.
-- (The function body of 0012 again, with that and SECURITY DEFINER.)
CREATE OR REPLACE FUNCTION crmx.on_change() RETURNS trigger
LANGUAGE plpgsql
-- It runs for whoever writes (the CRM's own database role), who need not
-- see crmx's schemas: it works them out as crmx, on a fixed search path.
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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
    PERFORM pg_notify('crmx_changed', '*');
    RETURN NULL;
END $$;

CREATE FUNCTION crmx.watch_mapped(tbl regclass, col text, owners_of regproc) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := 'crmx_changed_owner_' || col || '_via';
    ops text[] := ARRAY['INSERT', 'UPDATE', 'DELETE'];
    refs text[] := ARRAY['NEW TABLE AS new_rows', 'NEW TABLE AS new_rows OLD TABLE AS old_rows',
                         'OLD TABLE AS old_rows'];
BEGIN
    FOR i IN 1..3 LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER %s ON %s REFERENCING %s'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION crmx.on_change(''owner'', %L, %L)',
                       name || '_' || lower(left(ops[i], 1)), ops[i], tbl, refs[i], col,
                       owners_of::text);
    END LOOP;
    EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER TRUNCATE ON %s'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION crmx.on_change(''all'')', name || '_t', tbl);
END $$;
