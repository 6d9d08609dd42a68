-- The native tables: crmx's own CRM data model, for demos, CSV imports and
-- CRMs without a schema of their own.  sql/adapters/native.sql maps them
-- onto the crmx_src contract.

CREATE SCHEMA crmx_native;

CREATE TABLE crmx_native.users (
    user_id  bigint PRIMARY KEY,
    login    text NOT NULL UNIQUE,
    name     text NOT NULL,
    team     text,
    role     text NOT NULL CHECK (role IN ('rep', 'manager', 'exec', 'admin'))
);

CREATE TABLE crmx_native.accounts (
    account_id  bigint PRIMARY KEY,
    name        text NOT NULL,
    owner_id    bigint REFERENCES crmx_native.users,
    region      text,
    city        text,
    industry    text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON crmx_native.accounts (owner_id);

CREATE TABLE crmx_native.contacts (
    contact_id     bigint PRIMARY KEY,
    account_id     bigint NOT NULL REFERENCES crmx_native.accounts ON DELETE CASCADE,
    name           text NOT NULL,
    title          text,
    purchase_role  text CHECK (purchase_role IN
                   ('decision_maker', 'recommender', 'user', 'influencer', 'insider'))
);
CREATE INDEX ON crmx_native.contacts (account_id);

-- The five layers of the sales funnel plus the two outcomes.
CREATE TABLE crmx_native.stages (
    stage        text PRIMARY KEY,
    stage_rank   integer CHECK (stage_rank BETWEEN 1 AND 5),
    probability  double precision NOT NULL CHECK (probability BETWEEN 0 AND 1),
    is_won       boolean NOT NULL DEFAULT false,
    is_lost      boolean NOT NULL DEFAULT false
);
INSERT INTO crmx_native.stages VALUES
    ('qualified',   1, 0.10, false, false),
    ('judged',      2, 0.25, false, false),
    ('designed',    3, 0.45, false, false),
    ('consensus',   4, 0.65, false, false),
    ('negotiation', 5, 0.85, false, false),
    ('won',         5, 1.00, true,  false),
    ('lost',        NULL, 0.00, false, true);

CREATE TABLE crmx_native.opportunities (
    opportunity_id    bigint PRIMARY KEY,
    account_id        bigint NOT NULL REFERENCES crmx_native.accounts ON DELETE CASCADE,
    owner_id          bigint REFERENCES crmx_native.users,
    name              text NOT NULL,
    source            text,
    stage             text NOT NULL REFERENCES crmx_native.stages,
    amount            numeric(18,2) NOT NULL DEFAULT 0,
    probability       double precision CHECK (probability BETWEEN 0 AND 1),
    created_at        timestamptz NOT NULL,
    stage_entered_at  timestamptz,
    expected_close    date,
    closed_at         timestamptz,
    lost_reason       text
);
CREATE INDEX ON crmx_native.opportunities (account_id);
CREATE INDEX ON crmx_native.opportunities (owner_id);

-- One row each time a deal entered a funnel rank (skipped ranks have none).
CREATE TABLE crmx_native.stage_history (
    opportunity_id  bigint NOT NULL REFERENCES crmx_native.opportunities ON DELETE CASCADE,
    stage_rank      integer NOT NULL CHECK (stage_rank BETWEEN 1 AND 5),
    entered_at      timestamptz NOT NULL,
    PRIMARY KEY (opportunity_id, stage_rank, entered_at)
);

-- Revenue rows; credits are negative.  import_key makes re-imports
-- idempotent: the CSV's revenue_id, or "<file name>:<line>".
CREATE TABLE crmx_native.revenue (
    revenue_id  bigserial PRIMARY KEY,
    import_key  text UNIQUE,
    account_id  bigint NOT NULL REFERENCES crmx_native.accounts ON DELETE CASCADE,
    booked_at   date NOT NULL,
    amount      numeric(18,2) NOT NULL,
    margin      numeric(18,2)
);
CREATE INDEX ON crmx_native.revenue (account_id, booked_at);

CREATE TABLE crmx_native.activities (
    activity_id     bigint PRIMARY KEY,
    account_id      bigint NOT NULL REFERENCES crmx_native.accounts ON DELETE CASCADE,
    opportunity_id  bigint REFERENCES crmx_native.opportunities ON DELETE SET NULL,
    owner_id        bigint REFERENCES crmx_native.users,
    kind            text NOT NULL,
    started_at      timestamptz NOT NULL,
    minutes         integer NOT NULL DEFAULT 0 CHECK (minutes >= 0)
);
CREATE INDEX ON crmx_native.activities (account_id);
