-- What the page of teams shows of each team's stored row, as one text
-- (issue 16: every page under 50 ms at a million accounts).
--
-- On a quiet day an executive's page of teams reads every team's stored
-- row (0056) as it is, with the day's live counts (fcgi/queries.c
-- Q_TEAM_QUIET).  PostgreSQL wrote out the row's figures as fifteen
-- columns on every request: for 167 teams 2,500 values through
-- numeric_out and the protocol's per-column work, 0.2 ms of the 0.62 the
-- statement took at a million accounts.  The figures do not change after
-- the run stores them, so the row keeps their text, written when the row
-- is (a generated column: every write of the figures writes it), and the
-- quiet page reads it as one column (fcgi/team.c read_teams).  A busy
-- day's page adds the day's changes to the figures and reads them as
-- before.
--
-- shown_text: the figures as the page shows them, each its column's own
-- text (so the page reads the same characters), comma separated, an
-- empty field for NULL, in this order:
--   reps, open_deals, open_amount, weighted, forecast_month,
--   forecast_quarter, activity minutes and won in 12 months (each only
--   with metrics_n > 0), precise, learned (only with learned_n > 0, 0 for
--   none), won, lost, cov_open, covered.  The stalled and unreviewed deals
--   are the stored counts less the day's live ones, read as columns.

ALTER TABLE crmx.team_base ADD COLUMN shown_text text GENERATED ALWAYS AS (
    reps::text
    || ',' || coalesce(open_deals::text, '')
    || ',' || coalesce(open_amount::text, '')
    || ',' || coalesce(weighted::text, '')
    || ',' || coalesce(forecast_month::text, '')
    || ',' || coalesce(forecast_quarter::text, '')
    || ',' || CASE WHEN metrics_n > 0 THEN activity_minutes::text ELSE '' END
    || ',' || CASE WHEN metrics_n > 0 THEN revenue::text ELSE '' END
    || ',' || precise::text
    || ',' || CASE WHEN learned_n > 0 THEN coalesce(learned, 0)::text ELSE '' END
    || ',' || won::text
    || ',' || lost::text
    || ',' || cov_open::text
    || ',' || covered::text) STORED;
