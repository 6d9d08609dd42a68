-- A run's sums per team (0048) in a quarter of a second, not seven.  The
-- run stores them in its store transaction, from the rows it has just
-- written there (its open deals, won months and the users as it grouped
-- them).  The tables' statistics do not know those rows yet: to the
-- planner the run's open deals were one row, and it joined each of the
-- 98,507 of them (at a million deals) to its owner's team by reading the
-- run's members again, about 670 rows each time: 6.7 s of the run at a
-- million accounts (7.3 s in all with the won months), found with
-- auto_explain in a real run.  Every join here is of whole sets of the
-- run's rows, which a hash join does in one pass: nested loops are off
-- for the function.

ALTER FUNCTION crmx.store_team_rows(bigint) SET enable_nestloop = off;
