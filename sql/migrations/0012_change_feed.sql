-- The change feed: crmx.fcgi keeps the panels it rendered until the data
-- under them changes, and learns of changes by LISTEN crmx_changed.
--
-- A notification's payload is either '*' (anything may have changed:
-- users, stages, a metrics run) or the comma-separated ids of the owners
-- whose visible data changed, possibly none (an unowned row, which only
-- the viewers of everything see).  A page is dropped when the viewer sees
-- everything or sees one of the named owners.
--
-- crmx.watch() puts statement-level triggers on a table; one statement
-- costs one notification whatever its number of rows, and PostgreSQL
-- sends a transaction's equal notifications once, at commit.  Adapters
-- watch the CRM's tables the panels read, and say so by defining
-- crmx_src.change_feed(); crmx.fcgi keeps nothing without it.  For CRMs
-- whose rows name an owner indirectly (Tryton: a deal names an employee,
-- the owner is that employee's user), crmx.watch(table, 'owner', column,
-- function) passes the column's old and new values through the function
-- (bigint[] -> bigint[] of owners).
--
-- The triggers sit on the CRM's own tables and run for whoever writes
-- (the CRM's database role, which need not see crmx's schemas): they work
-- as crmx on a fixed search path, and whatever goes wrong in working out
-- the owners says '*' rather than fail the CRM's write.

CREATE FUNCTION crmx.changed_owners(owners bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    SELECT string_agg(o::text, ',' ORDER BY o) INTO payload
      FROM (SELECT DISTINCT o FROM unnest(owners) o WHERE o IS NOT NULL) d;
    -- a notification carries at most 8000 bytes
    IF length(payload) > 7000 THEN
        payload := '*';
    END IF;
    PERFORM pg_notify('crmx_changed', coalesce(payload, ''));
END $$;

-- Rows about accounts: their owners, and the owners of their deals (whose
-- deal panels show the account's name and its decision maker).  The ids
-- are a statement's (at most 10,000: see crmx.on_change).
CREATE FUNCTION crmx.changed_accounts(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM crmx.changed_owners(ARRAY(
        SELECT owner_id FROM crmx_src.accounts WHERE account_id = ANY (ids)
        UNION SELECT owner_id FROM crmx_src.opportunities WHERE account_id = ANY (ids)));
END $$;

CREATE FUNCTION crmx.changed_deals(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM crmx.changed_owners(ARRAY(
        SELECT owner_id FROM crmx_src.opportunities WHERE opportunity_id = ANY (ids)));
END $$;

CREATE FUNCTION crmx.changed_contacts(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM crmx.changed_accounts(ARRAY(
        SELECT account_id FROM crmx_src.contacts WHERE contact_id = ANY (ids)));
END $$;

-- The trigger: TG_ARGV[0] says what column TG_ARGV[1] holds: 'owner',
-- 'account', 'deal' or 'contact' ids ('all': no column, everything);
-- TG_ARGV[2], with 'owner', maps the column's ids to owners.  The ids
-- come from the statement's old and new rows.
CREATE FUNCTION crmx.on_change() RETURNS trigger
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

-- crmx.watch('schema.table', kind, column [, owners_of]): the triggers for
-- one column of a table ('all' with column NULL: any change means
-- everything; owners_of, with 'owner': the function that maps the column's
-- ids to owners).
CREATE FUNCTION crmx.watch(tbl regclass, kind text, col text, owners_of regproc DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := 'crmx_changed_' || kind || coalesce('_' || col, '')
                 || CASE WHEN owners_of IS NULL THEN '' ELSE '_via' END;
    args text := CASE WHEN kind = 'all' THEN quote_literal('all')
                      ELSE concat_ws(', ', quote_literal(kind), quote_literal(col),
                                     quote_literal(owners_of::text)) END;
    ops text[] := ARRAY['INSERT', 'UPDATE', 'DELETE'];
    refs text[] := ARRAY['NEW TABLE AS new_rows', 'NEW TABLE AS new_rows OLD TABLE AS old_rows',
                         'OLD TABLE AS old_rows'];
BEGIN
    IF kind NOT IN ('all', 'owner', 'account', 'deal', 'contact')
       OR (owners_of IS NOT NULL AND kind <> 'owner') THEN
        RAISE EXCEPTION 'crmx.watch: unknown kind % (or owners_of without ''owner'')', kind;
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
    EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER TRUNCATE ON %s'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION crmx.on_change(''all'')', name || '_t', tbl);
END $$;

-- crmx's own records, whatever the adapter.
DO $$ BEGIN
    PERFORM crmx.watch('crmx.qualification', 'account', 'account_id');
    PERFORM crmx.watch('crmx.qualification_history', 'account', 'account_id');
    PERFORM crmx.watch('crmx.deal_review', 'deal', 'opportunity_id');
    PERFORM crmx.watch('crmx.contact_role', 'contact', 'contact_id');
    PERFORM crmx.watch('crmx.user_pref', 'all', NULL);
    -- a run started, finished or pruned: its metrics are in every panel
    PERFORM crmx.watch('crmx.run', 'all', NULL);
END $$;
