-- The panels' sums without a foreign key to their run (issue 16).  A run
-- writes about 390,000 rows into the six tables below at a million
-- accounts (215,000 precise customers, 98,500 open deals, 35,000 closed
-- deals' sums...), and PostgreSQL checked each row's run against
-- crmx.run, one look-up per row: 1.9 s of the 9.2 s
-- crmx.store_panel_aggregates took, in a run of about 50 s that a plain
-- COPY of its rows is to stay within half of.
--
-- The check guarded nothing: these rows are written only by the store
-- functions, in the transaction that holds its run as 'running' (they
-- raise an exception otherwise).  What the key also did, dropping a
-- run's rows with the run, a trigger on crmx.run now does once per
-- statement: pruning deletes runs in one statement.  The other run-keyed
-- tables keep their keys (small, or filled by COPY into a partition).

ALTER TABLE crmx.pipeline_agg DROP CONSTRAINT pipeline_agg_run_id_fkey;
ALTER TABLE crmx.closed_agg DROP CONSTRAINT closed_agg_run_id_fkey;
ALTER TABLE crmx.region_agg DROP CONSTRAINT region_agg_run_id_fkey;
ALTER TABLE crmx.region_top DROP CONSTRAINT region_top_run_id_fkey;
ALTER TABLE crmx.open_deal DROP CONSTRAINT open_deal_run_id_fkey;
ALTER TABLE crmx.precise_account DROP CONSTRAINT precise_account_run_id_fkey;

-- The deleted runs' rows, as ON DELETE CASCADE dropped them: as the
-- tables' owner (crmx-reportd may delete runs, not their rows).
CREATE FUNCTION crmx.drop_run_sums() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM crmx.pipeline_agg x USING gone g WHERE x.run_id = g.run_id;
    DELETE FROM crmx.closed_agg x USING gone g WHERE x.run_id = g.run_id;
    DELETE FROM crmx.region_agg x USING gone g WHERE x.run_id = g.run_id;
    DELETE FROM crmx.region_top x USING gone g WHERE x.run_id = g.run_id;
    DELETE FROM crmx.open_deal x USING gone g WHERE x.run_id = g.run_id;
    DELETE FROM crmx.precise_account x USING gone g WHERE x.run_id = g.run_id;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION crmx.drop_run_sums() FROM PUBLIC;

CREATE TRIGGER run_sums_gone AFTER DELETE ON crmx.run
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION crmx.drop_run_sums();
