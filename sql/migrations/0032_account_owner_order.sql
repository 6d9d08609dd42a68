-- A rep's and a manager's accounts list at scale (issue 16): sorted by a
-- run's figure, the list walked the run's index over every account (0025)
-- until the page held the scope's accounts: about 19,000 rows for a team
-- of seven at a million accounts, and a rep's thousand accounts are one
-- row in a thousand (the same by name, walking every name).  Now each
-- run's rows carry the account's owner, and per owner the same orders are
-- indexed: a scope's page reads the first rows of each of its owners, no
-- more.
--
-- Which owner: reportd writes the owner its snapshot read; the store
-- transaction then sets the owner as it is after 0027's panel snapshot
-- (crmx.store_account_owners), so that for an owner the change feed has
-- not marked since that snapshot (crmx.changed_owner) the stored rows are
-- exactly the owner's accounts now.  The panels read the marked owners'
-- accounts live (fcgi/accounts.c), as 0027's sums do.
--
-- Older runs' rows have no owner (NULL) and no such indexes; the panels
-- use them only for a run that stored its owners (crmx.run.account_owners).

ALTER TABLE crmx.account_metrics ADD COLUMN owner_id bigint;
ALTER TABLE crmx.run ADD COLUMN account_owners boolean NOT NULL DEFAULT false;

-- The indexes by owner are built on each run's partition once its rows
-- are in (crmx.index_run_owners, called by reportd after its COPY): kept
-- up row by row during the COPY, three more indexes made a run of 10^6
-- accounts 16 s longer; built afterwards, by sorting, about 5 s.  Every
-- partition has them (empty for the runs before this one, whose owners
-- are NULL): where one lacked them, a list's plan sorted all of a scope's
-- rows instead of reading each owner's first ones in order.
CREATE FUNCTION crmx.index_owners_of(part text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key text;
BEGIN
    FOREACH key IN ARRAY ARRAY['revenue_window', 'ltv_pred', 'last_activity'] LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON crmx.%I (run_id, owner_id,'
                       ' %I DESC NULLS LAST, account_id) WHERE owner_id IS NOT NULL',
                       part || '_owner_' || key, part, key);
    END LOOP;
END $$;

CREATE FUNCTION crmx.index_run_owners(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.status = 'running') THEN
        RAISE EXCEPTION 'crmx.index_run_owners: no running run %', run;
    END IF;
    PERFORM crmx.index_owners_of('account_metrics_' || run);
END $$;
REVOKE ALL ON FUNCTION crmx.index_owners_of(text), crmx.index_run_owners(bigint) FROM PUBLIC;

DO $$
DECLARE
    part text;
BEGIN
    FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 WHERE i.inhparent = 'crmx.account_metrics'::regclass LOOP
        PERFORM crmx.index_owners_of(part);
    END LOOP;
END $$;

-- Sorted by name, a scope's list reads each owner's accounts in name
-- order (the accounts as they are: no run involved) from this index of
-- the native adapter; 0025's index of every name was walked until the
-- page held the scope's accounts.
CREATE INDEX accounts_owner_name ON crmx_native.accounts (owner_id, name, account_id);
-- and in pinyin order for Chinese readers, where the server has ICU (the
-- panels fall back to the database's order without it)
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'zh-x-icu') THEN
        CREATE INDEX accounts_owner_name_zh ON crmx_native.accounts
            (owner_id, name COLLATE "zh-x-icu", account_id);
    END IF;
END $$;

-- In the run's store transaction, after crmx.store_panel_aggregates: the
-- rows whose owner changed between reportd's snapshot and this statement's
-- get the owner now (usually none); an account deleted since keeps its
-- row, which the panels' join to the accounts leaves out.  Runs as the tables' owner:
-- crmx-reportd may only EXECUTE it (admin/roles.c).
CREATE FUNCTION crmx.store_account_owners(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.status = 'running'
                   AND r.panel_snapshot IS NOT NULL) THEN
        RAISE EXCEPTION 'crmx.store_account_owners: no running run % with its snapshot', run;
    END IF;
    UPDATE crmx.account_metrics m SET owner_id = a.owner_id
      FROM crmx_src.accounts a
     WHERE m.run_id = run AND a.account_id = m.account_id
       AND m.owner_id IS DISTINCT FROM a.owner_id;
    UPDATE crmx.run r SET account_owners = true WHERE r.run_id = run;
END $$;
REVOKE ALL ON FUNCTION crmx.store_account_owners(bigint) FROM PUBLIC;
