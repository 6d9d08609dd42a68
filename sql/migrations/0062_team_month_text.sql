-- The forecast accuracy's months of each team's stored row as text, beside
-- their sums' (0059; issue 16: every page under 50 ms at a million
-- accounts).
--
-- An executive's page of teams asks of every stored team row whether its
-- months are the runs' now (fcgi/queries.c TEAM_WHOLE_ROWS, acc_same):
-- an array comparison of six text elements per row, each through the
-- collation's look-up, 0.09 ms of the 0.64 the quiet day's statement took
-- for 167 teams.  The row now keeps its months' text too, written by the
-- same trigger, and the page compares it with the months' text it already
-- reads once: two arrays of text are equal exactly when their texts are.
--
-- acc_month_text: acc_month::text, or NULL when the array is.

ALTER TABLE crmx.team_base ADD COLUMN acc_month_text text;

CREATE OR REPLACE FUNCTION crmx.team_base_acc_text() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.acc_forecast_text := NEW.acc_forecast::text;
    NEW.acc_won_text := NEW.acc_won::text;
    NEW.acc_month_text := NEW.acc_month::text;
    RETURN NEW;
END $$;

DROP TRIGGER team_base_acc_text ON crmx.team_base;
CREATE TRIGGER team_base_acc_text BEFORE INSERT OR UPDATE OF acc_forecast, acc_won, acc_month
    ON crmx.team_base FOR EACH ROW EXECUTE FUNCTION crmx.team_base_acc_text();

UPDATE crmx.team_base SET acc_month_text = acc_month::text WHERE acc_month IS NOT NULL;
