-- The accounts list read afresh at scale (issue 16): an executive's list
-- sorted by revenue, predicted LTV, last activity or name read every
-- account and every metrics row of the run and sorted them all for one
-- page.  With these, the first page is read in key order from an index
-- and stops after the page.  An index on the partitioned table is made
-- on each run's partition as crmx.add_run_partition (0016) creates it,
-- before the run's COPY fills it: the run pays for them once, the pages
-- on every read.
CREATE INDEX account_metrics_revenue_order ON crmx.account_metrics
    (run_id, revenue_window DESC NULLS LAST, account_id);
CREATE INDEX account_metrics_ltv_order ON crmx.account_metrics
    (run_id, ltv_pred DESC NULLS LAST, account_id);
CREATE INDEX account_metrics_activity_order ON crmx.account_metrics
    (run_id, last_activity DESC NULLS LAST, account_id);
CREATE INDEX accounts_name_order ON crmx_native.accounts (name, account_id);
