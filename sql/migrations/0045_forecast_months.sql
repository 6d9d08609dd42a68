-- The forecast accuracy's other half (issue 16): each owner's weighted
-- forecast for each of the six months, beside the won amount 0044 stores.
-- Read at every request, an executive's page hashed every kept run's
-- forecasts (50,484 rows after eleven runs at a million accounts, and
-- growing with each run up to the runs kept) to use the 6,000 of the six
-- months' runs: 18-23 ms a request, alone.  Those forecasts were made by
-- runs before each month began, so they do not change; the run that
-- stores the won amounts stores them too, for the same owners and months,
-- and a page reads one run's rows by its key.
--
-- For a month M the forecast is that of the last complete run whose as-of
-- date is before M (Q_FORECAST_ACCURACY).  The storing run is not yet
-- complete, and is never such a run for its own months (its as-of date
-- lies in the last of them), so the runs the store sees are those a page
-- sees after it.  A page still looks up each month's run: a month no run
-- precedes is left out, as when read live.
--
-- Rows stored by 0044 carry no forecast: their runs are marked as having
-- stored none, and pages read the accuracy live until the next run.

ALTER TABLE crmx.won_month ADD COLUMN forecast numeric(20,2) NOT NULL DEFAULT 0;
UPDATE crmx.run SET won_months = false WHERE won_months;

-- One row per owner and month with a won amount or a forecast (0 for the
-- one it lacks).
CREATE OR REPLACE FUNCTION crmx.store_won_months(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    next date;
    win date;
BEGIN
    SELECT date_trunc('month', r.as_of + 1)::date, r.window_start INTO next, win
      FROM crmx.run r
     WHERE r.run_id = run AND r.status = 'running' AND r.panel_snapshot IS NOT NULL;
    IF next IS NULL THEN
        RAISE EXCEPTION 'crmx.store_won_months: no running run % with its snapshot', run;
    END IF;
    DELETE FROM crmx.won_month WHERE run_id <> run;
    IF (next - interval '6 months')::date < win THEN
        RETURN;		-- partly before the window: no marks there, read live
    END IF;
    INSERT INTO crmx.won_month (run_id, owner_id, month, won, forecast)
    WITH mo AS (SELECT (next - make_interval(months => k))::date AS m
                  FROM generate_series(1, 6) k),
         r AS (SELECT mo.m, (SELECT x.run_id FROM crmx.run x
                              WHERE x.status = 'ok' AND x.as_of < mo.m
                              ORDER BY x.as_of DESC, x.run_id DESC LIMIT 1) AS run_id
                 FROM mo),
         f AS (SELECT f.owner_id, f.period_start AS m, f.weighted
                 FROM r JOIN crmx.forecast f ON f.run_id = r.run_id AND f.period_start = r.m),
         w AS (SELECT o.owner_id, date_trunc('month', o.closed_at)::date AS m,
                      sum(o.amount) AS won
                 FROM crmx_src.opportunities o
                WHERE o.outcome = 'won' AND o.owner_id IS NOT NULL
                  AND o.closed_at >= (next - interval '6 months') AND o.closed_at < next
                GROUP BY 1, 2)
    SELECT run, coalesce(w.owner_id, f.owner_id), coalesce(w.m, f.m),
           coalesce(w.won, 0), coalesce(f.weighted, 0)
      FROM w FULL JOIN f ON f.owner_id = w.owner_id AND f.m = w.m;
    UPDATE crmx.run r SET won_months = true WHERE r.run_id = run;
END $$;
