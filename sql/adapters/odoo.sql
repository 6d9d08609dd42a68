-- Adapter: crmx_src over Odoo 16/17 (crm, sale, account), installed into
-- Odoo's database next to schema crmx.  Helpers live in schema crmx_odoo.
-- Translatable names are jsonb since Odoo 16: read in English (en_US),
-- else any language present.
--
-- The funnel: Odoo's stages are ordered by sequence; the open (not won)
-- stages take ranks 1, 2, 3 … in that order (from the fifth on: 5); a won
-- stage is rank 5.  A record of type "lead" is rank 1 whatever its stage.
-- Outcomes as Odoo defines them: won = in a won stage; lost = archived
-- with probability 0; archived otherwise (a duplicate, a mistake) = left out.

DROP SCHEMA IF EXISTS crmx_src CASCADE;
DROP SCHEMA IF EXISTS crmx_odoo CASCADE;
CREATE SCHEMA crmx_odoo;
CREATE SCHEMA crmx_src;

CREATE FUNCTION crmx_odoo.tr(name jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(name ->> 'en_US', (SELECT v FROM jsonb_each_text(name) AS e(k, v) ORDER BY k LIMIT 1)) $$;

CREATE VIEW crmx_odoo.stage_rank AS
SELECT s.id AS stage_id, crmx_odoo.tr(s.name) AS stage, s.is_won,
       CASE WHEN s.is_won THEN 5
            ELSE least(5, dense_rank() OVER (PARTITION BY s.is_won ORDER BY s.sequence, s.id))::integer
       END AS stage_rank
  FROM crm_stage s;

-- Customers: commercial partners (companies, or persons on their own)
-- other than the companies' and the users' own partners.
CREATE VIEW crmx_odoo.customer AS
SELECT p.*
  FROM res_partner p
 WHERE p.id = p.commercial_partner_id
   AND NOT EXISTS (SELECT 1 FROM res_company c WHERE c.partner_id = p.id)
   AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id AND NOT coalesce(u.share, false));

CREATE VIEW crmx_odoo.deal AS
SELECT l.*, cp.commercial_partner_id AS account_id,
       CASE WHEN st.is_won AND coalesce(l.active, true) THEN 'won'
            WHEN NOT coalesce(l.active, true) AND coalesce(l.probability, 0) = 0 THEN 'lost'
            WHEN coalesce(l.active, true) THEN 'open' END AS outcome,
       CASE WHEN l.type = 'lead' THEN 1 ELSE st.stage_rank END AS rank
  FROM crm_lead l
  JOIN res_partner cp ON cp.id = l.partner_id
  JOIN crmx_odoo.customer c ON c.id = cp.commercial_partner_id
  LEFT JOIN crmx_odoo.stage_rank st ON st.stage_id = l.stage_id
 WHERE coalesce(l.active, true) OR coalesce(l.probability, 0) = 0;

-- Stage changes from the chatter's tracking values (the field is "field"
-- in Odoo 16 and "field_id" in 17), plus the stage a deal started in.
DO $$
DECLARE col text;
BEGIN
    SELECT attname INTO col FROM pg_attribute
     WHERE attrelid = to_regclass('mail_tracking_value') AND NOT attisdropped
       AND attname IN ('field_id', 'field') ORDER BY attname DESC LIMIT 1;
    IF col IS NULL THEN
        RAISE EXCEPTION 'odoo adapter: mail_tracking_value has neither field_id nor field';
    END IF;
    EXECUTE format($v$
        CREATE VIEW crmx_odoo.stage_change AS
        SELECT m.res_id AS lead_id, t.new_value_integer AS stage_id, m.date AS changed_at,
               t.id AS seq, t.old_value_integer AS old_stage_id
          FROM mail_tracking_value t
          JOIN ir_model_fields f ON f.id = t.%I AND f.model = 'crm.lead' AND f.name = 'stage_id'
          JOIN mail_message m ON m.id = t.mail_message_id AND m.model = 'crm.lead'$v$, col);
END $$;

-- Managers lead a sales team; reps are team members; other staff users
-- are executives; Odoo's administrator (login admin) is admin.  Portal
-- and other shared users are not staff.
CREATE VIEW crmx_src.users AS
SELECT u.id::bigint AS user_id, u.login::text AS login, p.name::text AS name,
       coalesce(crmx_odoo.tr(led.name), crmx_odoo.tr(mem.name))::text AS team,
       CASE WHEN u.login = 'admin' THEN 'admin'
            WHEN led.id IS NOT NULL THEN 'manager'
            WHEN mem.id IS NOT NULL THEN 'rep'
            ELSE 'exec' END AS role
  FROM res_users u
  JOIN res_partner p ON p.id = u.partner_id
  LEFT JOIN LATERAL (SELECT t.id, t.name FROM crm_team t
                      WHERE t.user_id = u.id AND coalesce(t.active, true)
                      ORDER BY t.id LIMIT 1) led ON true
  LEFT JOIN LATERAL (SELECT t.id, t.name FROM crm_team_member tm JOIN crm_team t ON t.id = tm.crm_team_id
                      WHERE tm.user_id = u.id AND coalesce(tm.active, true) AND coalesce(t.active, true)
                      ORDER BY t.id LIMIT 1) mem ON true
 WHERE u.active AND NOT coalesce(u.share, false);

CREATE VIEW crmx_src.accounts AS
SELECT p.id::bigint AS account_id, p.name::text AS name, p.user_id::bigint AS owner_id,
       coalesce(s.name, crmx_odoo.tr(co.name))::text AS region, p.city::text AS city,
       crmx_odoo.tr(i.name)::text AS industry,
       p.create_date AT TIME ZONE 'UTC' AS created_at
  FROM crmx_odoo.customer p
  LEFT JOIN res_country_state s ON s.id = p.state_id
  LEFT JOIN res_country co ON co.id = p.country_id
  LEFT JOIN res_partner_industry i ON i.id = p.industry_id;

-- Contact persons of a customer (not its invoice or delivery addresses);
-- purchase roles come from the plugin's own table.
CREATE VIEW crmx_src.contacts AS
SELECT p.id::bigint AS contact_id, p.commercial_partner_id::bigint AS account_id,
       p.name::text AS name, p.function::text AS title, r.purchase_role
  FROM res_partner p
  JOIN crmx_odoo.customer c ON c.id = p.commercial_partner_id
  LEFT JOIN crmx.contact_role r ON r.contact_id = p.id
 WHERE p.id <> p.commercial_partner_id AND coalesce(p.type, 'contact') = 'contact'
   AND coalesce(p.active, true);

-- Default probabilities per rank (Odoo 16 stages carry none).
CREATE VIEW crmx_src.stages AS
SELECT stage, stage_rank, (ARRAY[0.10, 0.25, 0.45, 0.65, 0.85])[stage_rank]::float8 AS probability,
       false AS is_won, false AS is_lost
  FROM (SELECT DISTINCT ON (stage) stage, stage_rank FROM crmx_odoo.stage_rank
         WHERE NOT is_won ORDER BY stage, stage_rank) s
UNION ALL
SELECT DISTINCT stage, 5, 1.0::float8, true, false FROM crmx_odoo.stage_rank WHERE is_won
UNION ALL
SELECT 'Lost', NULL::integer, 0.0::float8, false, true;

-- A rank entered: the starting stage at creation, then each tracked change
-- to an open stage of another rank (winning closes the last stay).
CREATE VIEW crmx_src.stage_history AS
SELECT lead_id::bigint AS opportunity_id, stage_rank, entered_at
  FROM (SELECT e.lead_id, e.stage_rank, e.entered_at,
               lag(e.stage_rank) OVER (PARTITION BY e.lead_id ORDER BY e.entered_at, e.seq) AS prev_rank
          FROM (SELECT d.id AS lead_id,
                       CASE WHEN d.type = 'lead' THEN 1 ELSE sr.stage_rank END AS stage_rank,
                       d.create_date AT TIME ZONE 'UTC' AS entered_at, 0 AS seq, sr.is_won
                  FROM crmx_odoo.deal d
                  JOIN crmx_odoo.stage_rank sr ON sr.stage_id = coalesce(
                       (SELECT sc.old_stage_id FROM crmx_odoo.stage_change sc
                         WHERE sc.lead_id = d.id ORDER BY sc.changed_at, sc.seq LIMIT 1), d.stage_id)
                UNION ALL
                SELECT sc.lead_id, sr.stage_rank, sc.changed_at AT TIME ZONE 'UTC', sc.seq, sr.is_won
                  FROM crmx_odoo.stage_change sc
                  JOIN crmx_odoo.deal d ON d.id = sc.lead_id AND d.type <> 'lead'
                  JOIN crmx_odoo.stage_rank sr ON sr.stage_id = sc.stage_id) e
         WHERE NOT e.is_won) x
 WHERE prev_rank IS DISTINCT FROM stage_rank;

CREATE VIEW crmx_src.opportunities AS
SELECT d.id::bigint AS opportunity_id, d.account_id::bigint AS account_id,
       d.user_id::bigint AS owner_id, d.name::text AS name, src.name::text AS source,
       (CASE WHEN d.outcome = 'lost' THEN 'Lost' ELSE st.stage END)::text AS stage,
       CASE WHEN d.outcome = 'lost'
            THEN coalesce((SELECT max(h.stage_rank) FROM crmx_src.stage_history h
                            WHERE h.opportunity_id = d.id), d.rank)
            ELSE d.rank END AS stage_rank,
       coalesce(d.expected_revenue, 0)::numeric AS amount,
       least(1, greatest(0, coalesce(d.probability, 0) / 100.0))::float8 AS probability,
       d.create_date AT TIME ZONE 'UTC' AS created_at,
       coalesce(d.date_last_stage_update, d.create_date) AT TIME ZONE 'UTC' AS stage_entered_at,
       d.date_deadline AS expected_close,
       CASE WHEN d.outcome <> 'open'
            THEN coalesce(d.date_closed, d.write_date, d.date_last_stage_update) AT TIME ZONE 'UTC'
       END AS closed_at,
       d.outcome::text AS outcome,
       crmx_odoo.tr(lr.name)::text AS lost_reason
  FROM crmx_odoo.deal d
  LEFT JOIN crmx_odoo.stage_rank st ON st.stage_id = d.stage_id
  LEFT JOIN utm_source src ON src.id = d.source_id
  LEFT JOIN crm_lost_reason lr ON lr.id = d.lost_reason_id;

-- Posted customer invoices and credit notes, untaxed, signed (refunds
-- negative), in the company's currency.
CREATE VIEW crmx_src.revenue AS
SELECT m.commercial_partner_id::bigint AS account_id, m.invoice_date AS booked_at,
       m.amount_untaxed_signed::numeric AS amount, NULL::numeric AS margin
  FROM account_move m
  JOIN crmx_odoo.customer c ON c.id = m.commercial_partner_id
 WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund');

-- Done activities: chatter messages that closed a planned activity (a
-- call, a meeting …) on a deal or a customer.  Odoo keeps no duration.
CREATE VIEW crmx_src.activities AS
SELECT m.id::bigint AS activity_id,
       coalesce(d.account_id, c.id)::bigint AS account_id,
       d.id::bigint AS opportunity_id, u.id::bigint AS owner_id,
       crmx_odoo.tr(t.name)::text AS kind,
       m.date AT TIME ZONE 'UTC' AS started_at, NULL::integer AS minutes
  FROM mail_message m
  JOIN mail_activity_type t ON t.id = m.mail_activity_type_id
  LEFT JOIN crmx_odoo.deal d ON m.model = 'crm.lead' AND d.id = m.res_id
  LEFT JOIN crmx_odoo.customer c ON m.model = 'res.partner' AND c.id = m.res_id
  LEFT JOIN LATERAL (SELECT id FROM res_users WHERE partner_id = m.author_id
                      ORDER BY id LIMIT 1) u ON true
 WHERE d.id IS NOT NULL OR c.id IS NOT NULL;

-- The search box's candidates among a set of owners' accounts (0040):
-- nothing here indexes the keys, so the owners' accounts are read.
CREATE FUNCTION crmx_src.search_owned(owners bigint[], pattern text) RETURNS bigint[]
LANGUAGE sql STABLE AS 'SELECT crmx.search_owned_scan(owners, pattern)';

-- The names of a set of owners' accounts (0047): none here, as nothing
-- indexes the accounts by owner; the panels read each name by its key.
CREATE FUNCTION crmx_src.owned_names(owners bigint[])
RETURNS TABLE (account_id bigint, name text)
LANGUAGE sql STABLE AS 'SELECT NULL::bigint, NULL::text WHERE false';
