-- Adapter: crmx_src over Tryton 6.0 (modules sale_opportunity, sale and
-- account_invoice, as Debian 12 ships them), installed into Tryton's own
-- database next to schema crmx.  Helpers live in schema crmx_tryton.
--
-- The funnel (docs/design.md: five ranks; Tryton has three open states):
--   lead        -> rank 1  qualified lead
--   opportunity -> rank 2  judged worth pursuing (so lead -> opportunity is
--                          the rank 1 -> 2 conversion of docs/metrics.md §3)
--   converted   -> rank 5  a sale quotation exists: negotiation and signing
--                          (ranks 3 and 4 count as reached, as skipped ranks do)
--   won         -> outcome won  (a linked sale was confirmed)
--   lost        -> outcome lost (marked lost, or every linked sale cancelled)
--   cancelled   -> left out: neither won nor lost, and no longer in the funnel
-- A closed deal's rank is the highest it reached.  Deals without a party
-- (Tryton allows leads without one) are left out too.

DROP SCHEMA IF EXISTS crmx_src CASCADE;
DROP SCHEMA IF EXISTS crmx_tryton CASCADE;
CREATE SCHEMA crmx_tryton;
CREATE SCHEMA crmx_src;

CREATE VIEW crmx_tryton.state_map (state, stage_rank, probability, outcome) AS
VALUES ('lead',        1,    0.10::float8, 'open'),
       ('opportunity', 2,    0.30::float8, 'open'),
       ('converted',   5,    0.70::float8, 'open'),
       ('won',         5,    1.00::float8, 'won'),
       ('lost',        NULL::integer, 0.00::float8, 'lost');

-- Customers: parties that are neither a company's nor an employee's.
CREATE VIEW crmx_tryton.customer AS
SELECT p.*
  FROM party_party p
 WHERE NOT EXISTS (SELECT 1 FROM company_company c WHERE c.party = p.id)
   AND NOT EXISTS (SELECT 1 FROM company_employee e WHERE e.party = p.id);

-- The user behind an employee: the user whose current employee it is,
-- else one allowed to act as it (lowest id).
CREATE VIEW crmx_tryton.employee_user AS
SELECT DISTINCT ON (ue.employee) ue.employee AS employee_id, ue.user_id
  FROM (SELECT id AS user_id, employee, 0 AS pref FROM res_user WHERE employee IS NOT NULL
        UNION ALL
        SELECT "user", employee, 1 FROM "res_user-company_employee") ue
  JOIN res_user u ON u.id = ue.user_id AND u.active
 ORDER BY ue.employee, ue.pref, ue.user_id;

-- Deals the funnel knows (see the header).
CREATE VIEW crmx_tryton.deal AS
SELECT o.*
  FROM sale_opportunity o
 WHERE o.state <> 'cancelled'
   AND o.party IS NOT NULL
   AND EXISTS (SELECT 1 FROM crmx_tryton.customer c WHERE c.id = o.party);

-- Every state change of a deal, from the history Tryton keeps (one row per
-- create or write): the rows whose state differs from the previous row's.
CREATE VIEW crmx_tryton.state_change AS
SELECT id AS opportunity_id, "__id" AS hist_id, state, changed_at
  FROM (SELECT h.id, h."__id", h.state,
               lag(h.state) OVER (PARTITION BY h.id ORDER BY h."__id") AS prev_state,
               coalesce(h.write_date, h.create_date) AT TIME ZONE 'UTC' AS changed_at
          FROM sale_opportunity__history h) x
 WHERE prev_state IS DISTINCT FROM state;

-- The estimate before any sale: Tryton overwrites the amount with the
-- linked sales' total (0 when they are all cancelled); history keeps it.
CREATE VIEW crmx_tryton.estimate AS
SELECT DISTINCT ON (h.id) h.id AS opportunity_id, h.amount
  FROM sale_opportunity__history h
 WHERE h.state IN ('lead', 'opportunity') AND h.amount IS NOT NULL
 ORDER BY h.id, h."__id" DESC;

-- Managers are the employees others report to; the team is named after
-- the manager.  The login "admin" is Tryton's administrator; a user with
-- no employee is an executive (sees everything, owns nothing).
CREATE VIEW crmx_src.users AS
SELECT u.id::bigint AS user_id, u.login::text AS login, u.name::text AS name,
       (CASE WHEN mgr.is_manager THEN p.name ELSE sp.name END)::text AS team,
       CASE WHEN u.login = 'admin' THEN 'admin'
            WHEN mgr.is_manager THEN 'manager'
            WHEN u.employee IS NOT NULL THEN 'rep'
            ELSE 'exec' END AS role
  FROM res_user u
  LEFT JOIN company_employee e ON e.id = u.employee
  LEFT JOIN party_party p ON p.id = e.party
  LEFT JOIN company_employee se ON se.id = e.supervisor
  LEFT JOIN party_party sp ON sp.id = se.party
  CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM company_employee s
                                      WHERE s.supervisor = u.employee) AS is_manager) mgr
 WHERE u.active AND u.login <> 'root';

-- Region and city from the first active address (Tryton's address order:
-- sequence, then id); the industry is the party's first category; the
-- owner is the employee of the party's latest deal.
CREATE VIEW crmx_src.accounts AS
SELECT p.id::bigint AS account_id, p.name::text AS name, own.owner_id::bigint AS owner_id,
       coalesce(sd.name, co.name)::text AS region, a.city::text AS city,
       cat.name::text AS industry,
       p.create_date AT TIME ZONE 'UTC' AS created_at
  FROM crmx_tryton.customer p
  LEFT JOIN LATERAL (SELECT ad.city, ad.subdivision, ad.country FROM party_address ad
                      WHERE ad.party = p.id AND ad.active
                      ORDER BY ad.sequence NULLS FIRST, ad.id LIMIT 1) a ON true
  LEFT JOIN country_subdivision sd ON sd.id = a.subdivision
  LEFT JOIN country_country co ON co.id = a.country
  LEFT JOIN LATERAL (SELECT c.name FROM party_category_rel r
                       JOIN party_category c ON c.id = r.category
                      WHERE r.party = p.id ORDER BY c.name, c.id LIMIT 1) cat ON true
  LEFT JOIN LATERAL (SELECT eu.user_id AS owner_id FROM crmx_tryton.deal d
                       JOIN crmx_tryton.employee_user eu ON eu.employee_id = d.employee
                      WHERE d.party = p.id
                      ORDER BY d.create_date DESC, d.id DESC LIMIT 1) own ON true;

-- Tryton 6.0 has no contact persons without party_relationship: the
-- contact mechanisms (e-mail, phone …) of a customer are its contacts;
-- purchase roles come from the plugin's own table.
CREATE VIEW crmx_src.contacts AS
SELECT m.id::bigint AS contact_id, m.party::bigint AS account_id,
       coalesce(nullif(m.name, ''), m.value)::text AS name, m.type::text AS title,
       r.purchase_role
  FROM party_contact_mechanism m
  JOIN crmx_tryton.customer p ON p.id = m.party
  LEFT JOIN crmx.contact_role r ON r.contact_id = m.id
 WHERE m.active;

CREATE VIEW crmx_src.stages AS
SELECT state::text AS stage, stage_rank, probability,
       outcome = 'won' AS is_won, outcome = 'lost' AS is_lost
  FROM crmx_tryton.state_map;

-- One row each time a deal entered a different funnel rank.
CREATE VIEW crmx_src.stage_history AS
SELECT opportunity_id::bigint AS opportunity_id, stage_rank, entered_at
  FROM (SELECT sc.opportunity_id, m.stage_rank, sc.changed_at AS entered_at, sc.hist_id,
               lag(m.stage_rank) OVER (PARTITION BY sc.opportunity_id
                                       ORDER BY sc.hist_id) AS prev_rank
          FROM crmx_tryton.state_change sc
          JOIN crmx_tryton.state_map m ON m.state = sc.state AND m.outcome = 'open'
          JOIN crmx_tryton.deal d ON d.id = sc.opportunity_id) x
 WHERE prev_rank IS DISTINCT FROM stage_rank;

-- amount: what Tryton holds (the estimate, then the sales' untaxed total),
-- except for a lost deal whose sales were cancelled: its estimate.
-- expected_close: Tryton's end date (set to the close date on won/lost).
CREATE VIEW crmx_src.opportunities AS
SELECT o.id::bigint AS opportunity_id, o.party::bigint AS account_id,
       eu.user_id::bigint AS owner_id,
       coalesce(o.description, o.number, o.reference)::text AS name,
       NULL::text AS source,
       o.state::text AS stage,
       CASE WHEN m.outcome = 'open' THEN m.stage_rank
            ELSE (SELECT max(h.stage_rank) FROM crmx_src.stage_history h
                   WHERE h.opportunity_id = o.id) END AS stage_rank,
       (CASE WHEN o.state = 'lost' AND coalesce(o.amount, 0) = 0
             THEN coalesce(est.amount, 0) ELSE coalesce(o.amount, 0) END)::numeric AS amount,
       least(1, greatest(0, coalesce(o.conversion_probability, m.probability)))::float8
           AS probability,
       o.create_date AT TIME ZONE 'UTC' AS created_at,
       last.changed_at AS stage_entered_at,
       o.end_date AS expected_close,
       CASE WHEN m.outcome <> 'open'
            THEN coalesce(last.changed_at, o.end_date::timestamp AT TIME ZONE 'UTC') END AS closed_at,
       m.outcome::text AS outcome,
       o.lost_reason::text AS lost_reason
  FROM crmx_tryton.deal o
  JOIN crmx_tryton.state_map m ON m.state = o.state
  LEFT JOIN crmx_tryton.employee_user eu ON eu.employee_id = o.employee
  LEFT JOIN crmx_tryton.estimate est ON est.opportunity_id = o.id
  LEFT JOIN LATERAL (SELECT sc.changed_at FROM crmx_tryton.state_change sc
                      WHERE sc.opportunity_id = o.id
                      ORDER BY sc.hist_id DESC LIMIT 1) last ON true;

-- Customer invoices (type out; credit notes are out invoices with negative
-- lines) once posted or paid.  Tryton 6.0 stores no invoice total: it is
-- the invoice's move lines on the invoice's own (receivable) account,
-- debit - credit, in the company's currency, taxes included.
CREATE VIEW crmx_src.revenue AS
SELECT i.party::bigint AS account_id, i.invoice_date AS booked_at,
       sum(l.debit - l.credit)::numeric AS amount, NULL::numeric AS margin
  FROM account_invoice i
  JOIN account_move_line l ON l.move = i.move AND l.account = i.account
  JOIN crmx_tryton.customer p ON p.id = i.party
 WHERE i.type = 'out' AND i.state IN ('posted', 'paid')
 GROUP BY i.id, i.party, i.invoice_date;

-- Tryton 6.0 (these modules) records no sales activities: empty, typed.
CREATE VIEW crmx_src.activities AS
SELECT NULL::bigint AS activity_id, NULL::bigint AS account_id,
       NULL::bigint AS opportunity_id, NULL::bigint AS owner_id, NULL::text AS kind,
       NULL::timestamptz AS started_at, NULL::integer AS minutes
 WHERE false;

-- The change feed (sql/migrations/0012_change_feed.sql): triggers on the
-- Tryton tables these views read tell crmx.fcgi what changed.  They need
-- the right to put triggers on Tryton's tables (its owner, or TRIGGER);
-- without it the adapter works without a feed and crmx.fcgi keeps no pages.
CREATE FUNCTION crmx_tryton.employee_owners(ids bigint[]) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT array_agg(user_id::bigint) FROM crmx_tryton.employee_user
     WHERE employee_id = ANY (ids)
$$;

DO $$
BEGIN
    -- users, roles, teams, who is a customer, place names: everything
    PERFORM crmx.watch('res_user', 'all', NULL);
    PERFORM crmx.watch('"res_user-company_employee"', 'all', NULL);
    PERFORM crmx.watch('company_employee', 'all', NULL);
    PERFORM crmx.watch('company_company', 'all', NULL);
    PERFORM crmx.watch('party_category', 'all', NULL);
    PERFORM crmx.watch('country_subdivision', 'all', NULL);
    PERFORM crmx.watch('country_country', 'all', NULL);
    -- a customer (which decides whose deals are read too: every sum of
    -- the run, 0037), its address (region and city: the accounts' sums),
    -- category and contact mechanisms (in no sum); a party's or an
    -- address's other columns (Tryton's write date on every save, a
    -- street) changed alone mark nothing, the kept pages are told (0039)
    PERFORM crmx.watch('party_party', 'account', 'id', moves => ARRAY['id', 'name']);
    PERFORM crmx.watch('party_address', 'account', 'party', NULL, 'accounts',
                       moves => ARRAY['id', 'party', 'city', 'subdivision', 'country', 'active',
                                      'sequence']);
    PERFORM crmx.watch('party_category_rel', 'account', 'party', NULL, 'accounts');
    PERFORM crmx.watch('party_contact_mechanism', 'account', 'party', NULL, 'none');
    -- deals: the customer (its owner is the latest deal's: every sum), the
    -- employee before and after, and the history (stages, estimates)
    PERFORM crmx.watch('sale_opportunity', 'account', 'party');
    PERFORM crmx.watch('sale_opportunity', 'owner', 'employee', 'crmx_tryton.employee_owners');
    PERFORM crmx.watch('sale_opportunity__history', 'deal', 'id', NULL, 'deals');
    -- revenue: invoices and their receivable lines (the run's figures)
    PERFORM crmx.watch('account_invoice', 'account', 'party', NULL, 'none');
    PERFORM crmx.watch('account_move_line', 'account', 'party', NULL, 'none');
    EXECUTE 'CREATE FUNCTION crmx_src.change_feed() RETURNS text LANGUAGE sql IMMUTABLE'
            ' AS $f$ SELECT ''crmx_changed'' $f$';
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'crmx: no change feed (%); crmx.fcgi will read every page from the database',
                  SQLERRM;
END $$;

-- Identity: the login behind a Tryton session header, "Session "
-- base64(login:uid:key), checked as Tryton checks it: a row of ir_session
-- with that key, created by that user less than max_age ago (Tryton's
-- [session] max_age, 30 days by default).  The login written in the header
-- is not trusted (Tryton ignores it too): the login is the uid's.  NULL
-- when the header is not a valid session.  crmx.fcgi asks this for nginx's
-- auth_request (deploy/tryton/).  It runs as its owner (the role that
-- installed the adapter, which reads Tryton's tables), on the path of
-- Tryton's schema alone: the panels' role (`crmx-admin roles`) may not read
-- ir_session, whose keys log in as anyone.
CREATE FUNCTION crmx_src.session_login(header text,
                                       max_age interval DEFAULT '30 days')
RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
    parts text[];
    found text;
BEGIN
    IF header IS NULL OR header !~ '^Session [A-Za-z0-9+/]+={0,2}$' THEN
        RETURN NULL;
    END IF;
    BEGIN
        parts := regexp_match(convert_from(decode(substr(header, 9), 'base64'), 'UTF8'),
                              '^[^:]*:([0-9]{1,9}):(.+)$');
    EXCEPTION WHEN others THEN      -- not base64, not UTF-8
        RETURN NULL;
    END;
    IF parts IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT u.login INTO found
      FROM ir_session s JOIN res_user u ON u.id = s.create_uid
     WHERE s.create_uid = parts[1]::integer AND s.key = parts[2] AND u.active
       AND s.create_date > (now() AT TIME ZONE 'UTC') - max_age
     LIMIT 1;
    RETURN found;
END $$;
DO $$ BEGIN
    EXECUTE format('ALTER FUNCTION crmx_src.session_login(text, interval)'
                   ' SET search_path = pg_catalog, %I, pg_temp',
                   (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.oid = 'ir_session'::regclass));
END $$;

-- The search box's candidates among a set of owners' accounts (0040):
-- nothing here indexes the keys, so the owners' accounts are read.
CREATE FUNCTION crmx_src.search_owned(owners bigint[], pattern text) RETURNS bigint[]
LANGUAGE sql STABLE AS 'SELECT crmx.search_owned_scan(owners, pattern)';

-- The names of a set of owners' accounts (0047): none here, as nothing
-- indexes the accounts by owner; the panels read each name by its key.
CREATE FUNCTION crmx_src.owned_names(owners bigint[])
RETURNS TABLE (account_id bigint, name text)
LANGUAGE sql STABLE AS 'SELECT NULL::bigint, NULL::text WHERE false';
