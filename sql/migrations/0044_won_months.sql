-- The forecast accuracy of the team view (issue 16): for each of the six
-- months before the latest run's as-of month, every rep's won amount
-- closed in that month.  Read live, an executive's page summed every deal
-- won in six months (93,268 of 422,126 closed at a million deals): 66 ms
-- a request where the rest of the page takes about 20.  Those months are
-- over, so what was won in them changes only when a closed deal is
-- edited, moved or reopened, and such a change marks its owner for the
-- closed deals' sums when its close date falls in the run's window (0041).
-- Now the run stores each owner's won amount per month, read after the
-- snapshot 0027's sums record (as 0031's team sums), and a page reads the
-- changed owners' deals live in place of their stored months
-- (fcgi/queries.c, Q_FORECAST_ACCURACY_AGG).  The run says it stored them
-- (won_months) only when the six months lie within its window, where the
-- marks are made.

ALTER TABLE crmx.run ADD COLUMN won_months boolean NOT NULL DEFAULT false;

CREATE TABLE crmx.won_month (
    run_id      bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    owner_id    bigint NOT NULL,
    month       date NOT NULL,		-- first day, in the panels' time zone
    won         numeric NOT NULL,
    PRIMARY KEY (run_id, owner_id, month)
);

-- The run's won amounts per owner and month for the six months before the
-- month after its as-of date (the months Q_FORECAST_ACCURACY shows), in
-- its store transaction after crmx.store_panel_aggregates (its time zone
-- and snapshot).  Only the latest run's are read: earlier runs' go.
CREATE FUNCTION crmx.store_won_months(run bigint) RETURNS void
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
    INSERT INTO crmx.won_month
    SELECT run, o.owner_id, date_trunc('month', o.closed_at)::date, sum(o.amount)
      FROM crmx_src.opportunities o
     WHERE o.outcome = 'won' AND o.owner_id IS NOT NULL
       AND o.closed_at >= (next - interval '6 months') AND o.closed_at < next
     GROUP BY 2, 3;
    UPDATE crmx.run r SET won_months = true WHERE r.run_id = run;
END $$;
