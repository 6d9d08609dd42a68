-- The learned forecast (docs/metrics.md, "Learned close probability"):
-- per run, each open deal's learned probability beside its stage weight,
-- with the three features that move it most (keys, translated when shown;
-- their effects on the log-odds), and the run's backtest of the model
-- against the stage weights.  A run of a million deals writes a million
-- rows, so deal_forecast is partitioned by run as account_metrics is
-- (0006): the run's partition is made, and dropped, with the
-- account_metrics one by the functions of 0016 and 0017, redefined here.

CREATE TABLE crmx.deal_forecast (
    run_id          bigint NOT NULL,      -- crmx.run; partitions go with their run
    opportunity_id  bigint NOT NULL,
    stage_weight    double precision,
    probability     double precision,     -- learned; NULL when the model is not fitted
    top_features    text[],               -- dealstate.c keys, the largest effect first
    top_effects     double precision[],   -- on the log-odds, against an average deal
    PRIMARY KEY (run_id, opportunity_id)
) PARTITION BY LIST (run_id);

CREATE TABLE crmx.forecast_backtest (
    run_id          bigint PRIMARY KEY REFERENCES crmx.run ON DELETE CASCADE,
    uses_model      boolean NOT NULL,     -- the forecast uses the learned probabilities
    reason          text NOT NULL,        -- beats_stage_weights, no_better, too_little_data, backtest_off
    learned         numeric(20,2),        -- sum of amount x learned probability, open deals
    weighted        numeric(20,2) NOT NULL,   -- ... x stage weight
    weeks           integer NOT NULL,     -- the holdout; 0: no backtest
    cut             date,                 -- the last day the backtest's fit knew
    deals           integer,              -- open at the cut and closed since
    brier_model     double precision,
    brier_stage     double precision,
    logloss_model   double precision,
    logloss_stage   double precision,
    expected_model  numeric(20,2),        -- over those deals
    expected_stage  numeric(20,2),
    won             numeric(20,2),
    calibration     jsonb                 -- [{decile, deals, predicted, observed}]
);

CREATE VIEW crmx.latest_deal_forecast AS
SELECT f.*, r.as_of FROM crmx.deal_forecast f JOIN crmx.latest_run r USING (run_id);

CREATE OR REPLACE FUNCTION crmx.add_run_partition(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run) THEN
        RAISE EXCEPTION 'crmx.add_run_partition: no run %', run;
    END IF;
    EXECUTE format('CREATE TABLE crmx.%I PARTITION OF crmx.account_metrics FOR VALUES IN (%L)',
                   'account_metrics_' || run, run);
    EXECUTE format('CREATE TABLE crmx.%I PARTITION OF crmx.deal_forecast FOR VALUES IN (%L)',
                   'deal_forecast_' || run, run);
END $$;

CREATE OR REPLACE FUNCTION crmx.drop_run_partition(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run) THEN
        RAISE EXCEPTION 'crmx.drop_run_partition: run % is still kept', run;
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS crmx.%I', 'account_metrics_' || run);
    EXECUTE format('DROP TABLE IF EXISTS crmx.%I', 'deal_forecast_' || run);
END $$;

CREATE OR REPLACE FUNCTION crmx.drop_run_accounts(run bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM crmx.run r WHERE r.run_id = run AND r.status = 'running')
       OR run = (SELECT l.run_id FROM crmx.latest_run l) THEN
        RAISE EXCEPTION 'crmx.drop_run_accounts: run % is running or the latest', run;
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS crmx.%I', 'account_metrics_' || run);
    EXECUTE format('DROP TABLE IF EXISTS crmx.%I', 'deal_forecast_' || run);
END $$;
