-- An executive's page of teams from whole stored rows (issue 16: every
-- page under 50 ms at a million accounts).
--
-- The page summed the run's open deals per team and due month (0048:
-- 1,221 rows for 167 teams at a million accounts) on every request, to
-- know this month's and this quarter's weighted forecast, and then summed
-- the stored bases per team again with the changes since: 1.6 ms of a
-- server process a page, half of what PostgreSQL did for it.  The run now
-- also stores, in each team's row of crmx.team_base, its open deals summed
-- over every due month, and the forecast of the month and the quarter of
-- the run's day in the panels' zone (run.panel_day, 0055).  A due month
-- decides whether a deal counts, so the stored forecast holds for every
-- day of that month: the page reads the whole rows, with the changes
-- since as rows to add (fcgi/queries.c Q_TEAM_WHOLE), while today is in
-- the run's month.  After it, and for runs stored before this migration,
-- the page sums the due months as before (Q_TEAM_TEAMS).
--
-- open_deals, dated, open_amount, weighted, learned, learned_n: the
-- team's crmx.team_open rows summed (learned unknown, NULL, when no deal
-- had a learned forecast); forecast_month, forecast_quarter: the weighted
-- amount of those due before the end of panel_day's month and quarter,
-- or with no due date; acc_month, acc_forecast, acc_won: the forecast
-- accuracy's months ('YYYY-MM', oldest first, those with a run before
-- them as the page finds them) and the team's crmx.team_month rows for
-- them (0 for none), so that the page reads them with the row, while the
-- runs give the same months (Q_TEAM_WHOLE compares).

ALTER TABLE crmx.run ADD COLUMN team_whole boolean NOT NULL DEFAULT false;
ALTER TABLE crmx.team_base ADD COLUMN open_deals bigint, ADD COLUMN dated bigint,
    ADD COLUMN open_amount numeric, ADD COLUMN weighted numeric, ADD COLUMN learned numeric,
    ADD COLUMN learned_n bigint, ADD COLUMN forecast_month numeric,
    ADD COLUMN forecast_quarter numeric, ADD COLUMN acc_month text[],
    ADD COLUMN acc_forecast numeric[], ADD COLUMN acc_won numeric[];

-- After crmx.store_team_rows, in the run's store transaction; a run
-- without sums per team or a panel day stores none.  As there (0050), the
-- tables' statistics do not know the rows the run has just written, and
-- nested loops over them took 1.8 s of a run at a million accounts (the
-- months joined to every team once per team): every join here is of
-- whole sets, which hash joins do in one pass.  The one join that must
-- loop (each team with each month) then costs what a disabled plan costs,
-- past JIT's threshold: compiling the statement took 0.4 s of the 0.43
-- (the panels turn JIT off for their connections; a run's does not).
CREATE FUNCTION crmx.store_team_whole(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET enable_nestloop = off SET jit = off
AS $$
DECLARE
    day date;
BEGIN
    SELECT r.panel_day INTO day FROM crmx.run r
     WHERE r.run_id = run AND r.team_rows AND NOT r.team_whole;
    IF day IS NULL THEN
        RETURN;
    END IF;
    WITH o AS (SELECT s.team, sum(s.deals) AS deals, sum(s.dated) AS dated,
                      sum(s.amount) AS amount, sum(s.weighted) AS weighted,
                      sum(s.learned) AS learned, sum(s.learned_n) AS learned_n,
                      sum(s.weighted) FILTER (WHERE coalesce(s.due_month, day)
                          < (date_trunc('month', day) + interval '1 month')::date) AS fc_month,
                      sum(s.weighted) FILTER (WHERE coalesce(s.due_month, day)
                          < (date_trunc('quarter', day) + interval '3 months')::date) AS fc_quarter
                 FROM crmx.team_open s WHERE s.run_id = run GROUP BY s.team),
         mo AS (SELECT (date_trunc('month', coalesce(x.as_of, current_date) + 1)::date
                        - make_interval(months => k))::date AS m
                  FROM crmx.run x, generate_series(1, 6) k WHERE x.run_id = run),
         r AS (SELECT mo.m FROM mo WHERE EXISTS (SELECT 1 FROM crmx.run x
                WHERE x.status = 'ok' AND x.as_of < mo.m)),
         a AS (SELECT t.team,
                      coalesce(array_agg(to_char(r.m, 'YYYY-MM') ORDER BY r.m)
                               FILTER (WHERE r.m IS NOT NULL), '{}') AS month,
                      coalesce(array_agg(coalesce(s.forecast, 0) ORDER BY r.m)
                               FILTER (WHERE r.m IS NOT NULL), '{}') AS forecast,
                      coalesce(array_agg(coalesce(s.won, 0) ORDER BY r.m)
                               FILTER (WHERE r.m IS NOT NULL), '{}') AS won
                 FROM crmx.team_base t LEFT JOIN r ON true
                 LEFT JOIN crmx.team_month s ON s.run_id = run AND s.team = t.team
                  AND s.month = r.m
                WHERE t.run_id = run GROUP BY t.team)
    UPDATE crmx.team_base b
       SET open_deals = coalesce(o.deals, 0), dated = coalesce(o.dated, 0),
           open_amount = coalesce(o.amount, 0), weighted = coalesce(o.weighted, 0),
           learned = o.learned, learned_n = coalesce(o.learned_n, 0),
           forecast_month = coalesce(o.fc_month, 0), forecast_quarter = coalesce(o.fc_quarter, 0),
           acc_month = a.month, acc_forecast = a.forecast, acc_won = a.won
      FROM a LEFT JOIN o ON o.team = a.team
     WHERE b.run_id = run AND b.team = a.team;
    UPDATE crmx.run r SET team_whole = true WHERE r.run_id = run;
END $$;
REVOKE ALL ON FUNCTION crmx.store_team_whole(bigint) FROM PUBLIC;

-- The latest run's, so that pages use them before the next run.
DO $$ BEGIN PERFORM crmx.store_team_whole(r.run_id) FROM crmx.latest_run r; END $$;
