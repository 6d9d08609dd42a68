-- crmx plugin schema: settings and the records no CRM keeps (account
-- qualification, deal reviews, key-person flags, user preferences).
-- Keyed by the host CRM's ids; no foreign keys into the CRM on purpose.

CREATE TABLE crmx.settings (
    key         text PRIMARY KEY,
    value       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The current qualification of an account (METRICS.md §5) ...
CREATE TABLE crmx.qualification (
    account_id     bigint PRIMARY KEY,
    has_need       boolean,
    can_pay        boolean,
    has_authority  boolean,
    burning_issue  text,
    updated_by     text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- ... and every change to it, for the account panel's history.
CREATE TABLE crmx.qualification_history (
    id             bigserial PRIMARY KEY,
    account_id     bigint NOT NULL,
    has_need       boolean,
    can_pay        boolean,
    has_authority  boolean,
    burning_issue  text,
    updated_by     text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON crmx.qualification_history (account_id, updated_at);

-- The four questions asked of every deal; one row per review, newest wins.
CREATE TABLE crmx.deal_review (
    id              bigserial PRIMARY KEY,
    opportunity_id  bigint NOT NULL,
    step_completed  text NOT NULL,
    evidence        text NOT NULL,
    action          text NOT NULL,
    plan            text NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON crmx.deal_review (opportunity_id, created_at);

-- Purchase roles for CRMs that have none (Tryton, Odoo), and whether the
-- key person has been reached.
CREATE TABLE crmx.contact_role (
    contact_id     bigint PRIMARY KEY,
    purchase_role  text CHECK (purchase_role IN
                   ('decision_maker', 'recommender', 'user', 'influencer', 'insider')),
    reached        boolean NOT NULL DEFAULT false,
    updated_by     text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE crmx.user_pref (
    login       text PRIMARY KEY,
    lang        text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
