-- Per-account metrics, one partition per run.  A run of a million
-- accounts writes a million rows: a foreign key checked row by row cost
-- more than the COPY itself, and pruning an old run deleted a million rows.
-- Now store.c creates the run's partition in the run's transaction, fills
-- it with COPY, and pruning drops whole partitions.  The rows are derived
-- data: the table is rebuilt here with its rows moved over.
DROP VIEW crmx.latest_account_metrics;
ALTER TABLE crmx.account_metrics RENAME TO account_metrics_old;
ALTER TABLE crmx.account_metrics_old RENAME CONSTRAINT account_metrics_pkey TO account_metrics_old_pkey;

CREATE TABLE crmx.account_metrics (
    run_id           bigint NOT NULL,     -- crmx.run; partitions go with their run
    account_id       bigint NOT NULL,
    revenue_window   numeric(18,2) NOT NULL DEFAULT 0,  -- net, in the window
    abc_class        char(1) CHECK (abc_class IN ('A', 'B', 'C')),
    revenue_rank     integer,             -- 1 = largest; NULL when net <= 0
    hist_ltv         numeric(18,2),       -- net revenue (or margin) to as_of
    first_purchase   date,
    last_purchase    date,
    x                integer,             -- repeat purchases
    t_x              double precision,    -- weeks, last purchase since first
    t_cal            double precision,    -- T: weeks, as_of since first
    exp_purchases    double precision,    -- next horizon_weeks
    p_alive          double precision,
    exp_value        double precision,    -- Gamma-Gamma E[M]
    ltv_pred         double precision,    -- discounted predictive LTV
    segment          text NOT NULL CHECK (segment IN ('prospect', 'active', 'lapsed')),
    qual_grade       char(1) CHECK (qual_grade IN ('A', 'B', 'C')),  -- NULL: not recorded
    open_deals       integer NOT NULL DEFAULT 0,
    last_activity    timestamptz,
    PRIMARY KEY (run_id, account_id)
) PARTITION BY LIST (run_id);

DO $$
DECLARE
    r bigint;
BEGIN
    FOR r IN SELECT DISTINCT run_id FROM crmx.account_metrics_old LOOP
        EXECUTE format('CREATE TABLE crmx.account_metrics_%s PARTITION OF crmx.account_metrics'
                       ' FOR VALUES IN (%s)', r, r);
    END LOOP;
END
$$;
INSERT INTO crmx.account_metrics SELECT * FROM crmx.account_metrics_old;
DROP TABLE crmx.account_metrics_old;

CREATE VIEW crmx.latest_account_metrics AS
SELECT m.*, r.as_of, r.finished_at AS computed_at
  FROM crmx.account_metrics m JOIN crmx.latest_run r USING (run_id);
