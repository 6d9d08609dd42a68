-- Results of reportd's metric runs (METRICS.md §1-5).  One row per run in
-- crmx.run; every other table is keyed by run_id and written in the same
-- transaction that marks the run 'ok', so readers only ever see complete
-- runs.  crmx.latest_* views give the newest complete run.

CREATE TABLE crmx.run (
    run_id        bigserial PRIMARY KEY,
    as_of         date NOT NULL,
    window_start  date NOT NULL,          -- inclusive
    window_end    date NOT NULL,          -- exclusive: as_of + 1 day
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    status        text NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'ok', 'failed')),
    error         text,
    host          text,
    duration_ms   bigint,
    row_counts    jsonb,                  -- rows read per crmx_src view
    summary       jsonb                   -- headline figures; absent ones are null
);
CREATE INDEX ON crmx.run (status, run_id);

-- Per account (METRICS.md §1, §2, §5).  NULL means "cannot be computed".
CREATE TABLE crmx.account_metrics (
    run_id           bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
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
);

-- Per sales owner (METRICS.md §3, §4).
CREATE TABLE crmx.owner_metrics (
    run_id                bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    owner_id              bigint NOT NULL,
    revenue               numeric(18,2) NOT NULL DEFAULT 0,  -- won deals closed in the window
    revenue_share         double precision,
    abc_class             char(1),
    revenue_rank          integer,
    won                   integer NOT NULL DEFAULT 0,
    lost                  integer NOT NULL DEFAULT 0,
    win_rate              double precision,
    cycle_median_days     double precision,
    cycle_mean_days       double precision,
    activity_minutes      bigint NOT NULL DEFAULT 0,
    minutes_per_won_deal  double precision,
    revenue_per_hour      double precision,
    open_deals            integer NOT NULL DEFAULT 0,
    weighted_pipeline     numeric(18,2) NOT NULL DEFAULT 0,
    key_person_coverage   double precision,
    PRIMARY KEY (run_id, owner_id)
);

-- Concentration over accounts and over owners (METRICS.md §1).
CREATE TABLE crmx.concentration (
    run_id        bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    scope         text NOT NULL CHECK (scope IN ('accounts', 'owners')),
    n             integer NOT NULL,
    non_positive  integer NOT NULL,
    total         numeric(20,2) NOT NULL,
    top20_share   double precision,
    frac_for_80   double precision,
    gini          double precision,
    n_a           integer NOT NULL,
    n_b           integer NOT NULL,
    n_c           integer NOT NULL,
    revenue_a     numeric(20,2),
    revenue_b     numeric(20,2),
    revenue_c     numeric(20,2),
    PRIMARY KEY (run_id, scope)
);

CREATE TABLE crmx.lorenz (
    run_id  bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    scope   text NOT NULL,
    i       integer NOT NULL,
    x       double precision NOT NULL,
    y       double precision NOT NULL,
    PRIMARY KEY (run_id, scope, i)
);

-- The funnel (METRICS.md §3) per rank: deals that reached it, conversion to
-- the next rank, median days in it, and the open pipeline sitting in it.
CREATE TABLE crmx.funnel_metrics (
    run_id               bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    stage_rank           integer NOT NULL CHECK (stage_rank BETWEEN 1 AND 5),
    reached              integer NOT NULL,
    reached_amount       numeric(20,2) NOT NULL,
    conversion_next      double precision,     -- k -> k+1; NULL for 5 or no base
    median_days_in_stage double precision,
    open_count           integer NOT NULL,
    open_amount          numeric(20,2) NOT NULL,
    weighted_amount      numeric(20,2) NOT NULL,
    PRIMARY KEY (run_id, stage_rank)
);

-- Win rates by dimension: 'overall' (key ''), 'owner' (owner_id),
-- 'source', 'stage_reached' (highest rank reached).
CREATE TABLE crmx.win_rate (
    run_id     bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    dimension  text NOT NULL,
    key        text NOT NULL,
    won        integer NOT NULL,
    lost       integer NOT NULL,
    win_rate   double precision,
    PRIMARY KEY (run_id, dimension, key)
);

-- Cohort curves (METRICS.md §2): cumulative revenue per acquired account,
-- k months after the cohort's month.
CREATE TABLE crmx.cohort_curve (
    run_id                bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    cohort                date NOT NULL,   -- first day of the acquisition month
    k                     integer NOT NULL,
    size                  integer NOT NULL,
    cum_revenue_per_acct  double precision NOT NULL,
    PRIMARY KEY (run_id, cohort, k)
);

-- The weighted forecast per owner and expected-close month, kept per run
-- so that forecast accuracy can be measured against what was then won.
CREATE TABLE crmx.forecast (
    run_id        bigint NOT NULL REFERENCES crmx.run ON DELETE CASCADE,
    owner_id      bigint NOT NULL,
    period_start  date NOT NULL,           -- first day of the month
    open_deals    integer NOT NULL,
    amount        numeric(20,2) NOT NULL,
    weighted      numeric(20,2) NOT NULL,
    PRIMARY KEY (run_id, owner_id, period_start)
);

CREATE VIEW crmx.latest_run AS
SELECT * FROM crmx.run WHERE status = 'ok' ORDER BY run_id DESC LIMIT 1;

CREATE VIEW crmx.latest_account_metrics AS
SELECT m.*, r.as_of, r.finished_at AS computed_at
  FROM crmx.account_metrics m JOIN crmx.latest_run r USING (run_id);

CREATE VIEW crmx.latest_owner_metrics AS
SELECT m.*, r.as_of, r.finished_at AS computed_at
  FROM crmx.owner_metrics m JOIN crmx.latest_run r USING (run_id);

CREATE VIEW crmx.latest_funnel_metrics AS
SELECT m.*, r.as_of, r.finished_at AS computed_at
  FROM crmx.funnel_metrics m JOIN crmx.latest_run r USING (run_id);
