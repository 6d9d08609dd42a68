-- The complete runs by as-of date (issue 16, every page read afresh under
-- 50 ms at 64 connections).  The forecast accuracy on the pipeline and the
-- team view finds, for each of six months, the last complete run before
-- it began: six scans of crmx.run, 159 rows on the bench set, each row's
-- status and date tested.  A rep's statement took 0.25 ms, 0.12 with this
-- index (one descent each).
CREATE INDEX run_ok_as_of ON crmx.run (as_of, run_id) WHERE status = 'ok';
