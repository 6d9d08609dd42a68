-- The latest run's account metrics from its partition alone: the run joined
-- in is only known while the statement runs, so every kept run's partition
-- (a million rows each at scale) was read and joined away.  A scalar
-- subquery is evaluated first, and the other partitions are skipped.
CREATE OR REPLACE VIEW crmx.latest_account_metrics AS
SELECT m.*, r.as_of, r.finished_at AS computed_at
  FROM crmx.account_metrics m JOIN crmx.latest_run r USING (run_id)
 WHERE m.run_id = (SELECT run_id FROM crmx.latest_run);
