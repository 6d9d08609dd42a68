-- The team view's learned forecast, known or not, the same on every path.
-- A rep's learned forecast is unknown when none of the rep's open deals
-- has a learned probability (no deal the run scored: opened since, or no
-- model).  Read rep by rep from the run's sums (0031, 0038), a rep whose
-- scored deals had all moved to another owner or been taken out since the
-- run showed a known 0: the stored sum less each changed deal's part is
-- 0, and nothing said whether a scored deal was left.  The page of teams
-- (0048) and the page summed over every row said "unknown".  Each stored
-- row of crmx.team_agg now counts its deals with a learned forecast, and
-- a changed deal takes itself out of that count as out of the sums
-- (fcgi/queries.c, Q_TEAM_AGG).

ALTER TABLE crmx.team_agg ADD COLUMN learned_n bigint;

-- The latest run's rows (only the latest run's are kept): counted from
-- its open deals where it kept them (0038), else 1 for a row with a
-- learned forecast (such a run marks whole owners, never a deal, so the
-- count is only ever compared with 0).
UPDATE crmx.team_agg t
   SET learned_n = coalesce((SELECT count(*) FILTER (WHERE d.learned IS NOT NULL)
                               FROM crmx.open_deal d
                              WHERE d.run_id = t.run_id AND d.owner_id = t.owner_id
                                AND d.due_month IS NOT DISTINCT FROM t.due_month
                             HAVING count(*) > 0),
                            (t.learned IS NOT NULL)::int);

-- 0038's, counting each row's deals with a learned forecast.
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
    INSERT INTO crmx.team_agg (run_id, owner_id, due_month, deals, dated, amount, weighted,
                               learned, learned_n)
    SELECT run, d.owner_id, d.due_month, count(*), count(*) FILTER (WHERE d.dated),
           sum(d.amount), sum(d.weighted::numeric), sum(d.learned),
           count(*) FILTER (WHERE d.learned IS NOT NULL)
      FROM crmx.open_deal d
     WHERE d.run_id = run AND d.owner_id IS NOT NULL
     GROUP BY 2, 3;
    INSERT INTO crmx.team_precise
    SELECT run, p.owner_id, count(*) FROM crmx.precise_account p
     WHERE p.run_id = run AND p.owner_id IS NOT NULL
     GROUP BY p.owner_id;
    UPDATE crmx.run r SET team_sums = true WHERE r.run_id = run;
END $$;
