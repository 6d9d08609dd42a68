-- Per owner, how many deals created in the run's window reached each
-- funnel layer (element k for layer k, 1..5): the panels' pipeline sums
-- these over the viewer's owners instead of reading the stage history of
-- every deal on each request.
ALTER TABLE crmx.owner_metrics ADD COLUMN reached integer[];

-- m.* was expanded when the view was made: make it again to show the column.
DROP VIEW crmx.latest_owner_metrics;
CREATE VIEW crmx.latest_owner_metrics AS
SELECT m.*, r.as_of, r.finished_at AS computed_at
  FROM crmx.owner_metrics m JOIN crmx.latest_run r USING (run_id);
