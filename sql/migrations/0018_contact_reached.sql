-- The key person: when a contact was reached and by whom, set from the
-- account panel's contact form, with every change kept; in crmx's own
-- tables, so it works over every adapter.
ALTER TABLE crmx.contact_role ADD COLUMN reached_on date, ADD COLUMN reached_by text;

CREATE TABLE crmx.contact_role_history (
    id             bigserial PRIMARY KEY,
    contact_id     bigint NOT NULL,
    account_id     bigint NOT NULL,
    purchase_role  text,
    reached        boolean NOT NULL,
    reached_on     date,
    reached_by     text,
    updated_by     text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON crmx.contact_role_history (account_id, updated_at);

DO $$ BEGIN
    PERFORM crmx.watch('crmx.contact_role_history', 'account', 'account_id');
END $$;

-- Stage-to-stage conversion (METRICS.md §3) per owner: element k is how
-- many deals created in the run's window reached layer k and have left it
-- or are closed (the base of the rate k -> k+1; the deals that went on are
-- reached[k+1]), so the panels sum the same definition the report shows.
ALTER TABLE crmx.owner_metrics ADD COLUMN conv_base integer[];

DROP VIEW crmx.latest_owner_metrics;
CREATE VIEW crmx.latest_owner_metrics AS
SELECT m.*, r.as_of, r.finished_at AS computed_at
  FROM crmx.owner_metrics m JOIN crmx.latest_run r USING (run_id);
