-- The forecast accuracy's sums of each team's stored row as text (issue
-- 16: every page under 50 ms at a million accounts).
--
-- An executive's page of teams reads every team's stored row (0056) with
-- its six months' forecast and won sums, two numeric arrays per team.
-- PostgreSQL wrote them out as text on every request: for 167 teams,
-- array_out and numeric_out were a sixth of what the server process did
-- for the page (0.15 ms of its 0.85).  The sums do not change after the
-- run stores them, so their text is kept beside them, written when the
-- row is, and the page reads the text (fcgi/queries.c TEAM_WHOLE_ROWS).
-- The text is the arrays' own (numeric[]::text), so the page reads the
-- same characters as before; a row without it (none after this
-- migration) is read from the arrays.
--
-- acc_forecast_text, acc_won_text: acc_forecast::text, acc_won::text, or
-- NULL when the array is.

ALTER TABLE crmx.team_base ADD COLUMN acc_forecast_text text,
    ADD COLUMN acc_won_text text;

-- Kept by a trigger rather than by crmx.store_team_whole (0056), so that
-- whatever writes the arrays writes their text; a generated column cannot
-- hold them, as an array's output is not immutable.
CREATE FUNCTION crmx.team_base_acc_text() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.acc_forecast_text := NEW.acc_forecast::text;
    NEW.acc_won_text := NEW.acc_won::text;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION crmx.team_base_acc_text() FROM PUBLIC;

CREATE TRIGGER team_base_acc_text BEFORE INSERT OR UPDATE OF acc_forecast, acc_won
    ON crmx.team_base FOR EACH ROW EXECUTE FUNCTION crmx.team_base_acc_text();

UPDATE crmx.team_base SET acc_forecast_text = acc_forecast::text, acc_won_text = acc_won::text
 WHERE acc_forecast IS NOT NULL OR acc_won IS NOT NULL;
