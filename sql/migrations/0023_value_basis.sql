-- What an account's historical and predicted value are in (issue 15):
-- 'margin' when every revenue row of the account carries a margin, else
-- 'revenue' (both times [metrics] margin).  Both values of an account are
-- on this one basis; panels and the report label them with it.  NULL for
-- runs made before this column.  The latest view keeps its columns and
-- gains this one at the end.
ALTER TABLE crmx.account_metrics
    ADD COLUMN value_basis text CHECK (value_basis IN ('margin', 'revenue'));

CREATE OR REPLACE VIEW crmx.latest_account_metrics AS
SELECT m.run_id, m.account_id, m.revenue_window, m.abc_class, m.revenue_rank, m.hist_ltv,
       m.first_purchase, m.last_purchase, m.x, m.t_x, m.t_cal, m.exp_purchases, m.p_alive,
       m.exp_value, m.ltv_pred, m.segment, m.qual_grade, m.open_deals, m.last_activity,
       r.as_of, r.finished_at AS computed_at, m.value_basis
  FROM crmx.account_metrics m JOIN crmx.latest_run r USING (run_id)
 WHERE m.run_id = (SELECT run_id FROM crmx.latest_run);
