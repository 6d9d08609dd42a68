-- Adapter: crmx_src over crmx's own tables (schema crmx_native).
-- Every adapter creates exactly the views and columns of the contract in
-- docs/design.md; tests/integration/test_contract.c holds each adapter to it.

DROP SCHEMA IF EXISTS crmx_src CASCADE;
CREATE SCHEMA crmx_src;

CREATE VIEW crmx_src.users AS
SELECT user_id, login, name, team, role
  FROM crmx_native.users;

CREATE VIEW crmx_src.accounts AS
SELECT account_id, name, owner_id, region, city, industry, created_at
  FROM crmx_native.accounts;

-- A role set in crmx's contact form wins; the CRM's own fills it where
-- none was set there.
CREATE VIEW crmx_src.contacts AS
SELECT c.contact_id, c.account_id, c.name, c.title,
       coalesce(r.purchase_role, c.purchase_role) AS purchase_role
  FROM crmx_native.contacts c
  LEFT JOIN crmx.contact_role r USING (contact_id);

CREATE VIEW crmx_src.stages AS
SELECT stage, stage_rank, probability, is_won, is_lost
  FROM crmx_native.stages;

-- stage_rank of a closed deal is the highest funnel rank it reached.
CREATE VIEW crmx_src.opportunities AS
SELECT o.opportunity_id, o.account_id, o.owner_id, o.name, o.source, o.stage,
       coalesce(s.stage_rank,
                (SELECT max(h.stage_rank) FROM crmx_native.stage_history h
                  WHERE h.opportunity_id = o.opportunity_id)) AS stage_rank,
       o.amount,
       coalesce(o.probability, s.probability) AS probability,
       o.created_at, o.stage_entered_at, o.expected_close, o.closed_at,
       CASE WHEN s.is_won THEN 'won' WHEN s.is_lost THEN 'lost' ELSE 'open' END AS outcome,
       o.lost_reason
  FROM crmx_native.opportunities o
  JOIN crmx_native.stages s USING (stage);

CREATE VIEW crmx_src.stage_history AS
SELECT opportunity_id, stage_rank, entered_at
  FROM crmx_native.stage_history;

CREATE VIEW crmx_src.revenue AS
SELECT account_id, booked_at, amount, margin
  FROM crmx_native.revenue;

CREATE VIEW crmx_src.activities AS
SELECT activity_id, account_id, opportunity_id, owner_id, kind, started_at, minutes
  FROM crmx_native.activities;

-- The change feed (sql/migrations/0012_change_feed.sql): every table the
-- panels read through these views tells crmx.fcgi what changed, and which
-- of the run's sums its rows go into (0037): the accounts' (regions,
-- lists: accounts), the deals' (pipeline, team: opportunities; a deal
-- with no close date, before and after, is marked itself, 0038, and moves
-- only the open deals' sums) or none (contacts, revenue: the run's
-- figures of them stand until the next run; the stage history, which
-- ranks only closed deals, and no stored sum has a closed deal's rank).
-- An account's industry or creation time, which no sum reads, changed
-- alone marks nothing (moves, 0039): the kept pages are told; its name
-- alone marks the account (by_row), its region, city or owner the owner.
DO $$ BEGIN
    PERFORM crmx.watch('crmx_native.users', 'all', NULL);
    PERFORM crmx.watch('crmx_native.stages', 'all', NULL);
    PERFORM crmx.watch('crmx_native.accounts', 'owner', 'owner_id', NULL, 'accounts',
                       moves => ARRAY['account_id', 'owner_id', 'region', 'city']);
    PERFORM crmx.watch('crmx_native.accounts', 'account', 'account_id', NULL, 'accounts',
                       moves => ARRAY['account_id', 'name', 'owner_id', 'region', 'city'],
                       by_row => ARRAY['name']);
    PERFORM crmx.watch('crmx_native.contacts', 'account', 'account_id', NULL, 'none');
    PERFORM crmx.watch('crmx_native.opportunities', 'owner', 'owner_id', NULL, 'deals',
                       'closed_at', 'opportunity_id');
    PERFORM crmx.watch('crmx_native.stage_history', 'deal', 'opportunity_id', NULL, 'none');
    PERFORM crmx.watch('crmx_native.revenue', 'account', 'account_id', NULL, 'none');
END $$;

CREATE FUNCTION crmx_src.change_feed() RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'crmx_changed' $$;

-- crmx_src.users reads crmx_native.users alone, watched above as 'all':
-- a user added, removed or moved to another team or role marks every sum
-- changed, so the panels need not compare the users with the run's
-- members of each team (Q_TEAM_LIVE).  An adapter whose users' teams come
-- from a table watched otherwise (Tryton names a team after its manager's
-- party, watched as an account) does not define it.
CREATE FUNCTION crmx_src.users_watched() RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$ SELECT true $$;

-- The names of a set of owners' accounts (0047), for a rep's pipeline:
-- one range of the index by owner and name (0032) instead of one look-up
-- by key per deal on the page.  SQL, one SELECT, so that the planner
-- takes it into the panels' statement as its own.
CREATE FUNCTION crmx_src.owned_names(owners bigint[])
RETURNS TABLE (account_id bigint, name text)
LANGUAGE sql STABLE AS $$
    SELECT a.account_id, a.name FROM crmx_src.accounts a WHERE a.owner_id = ANY(owners)
$$;

-- The search box's candidates among a set of owners' accounts (0040):
-- each owner's grams (the term's, prefixed with the owner's id) in the
-- index of the accounts' keys, a few hundred entries where the plain
-- grams match tens of thousands of accounts.  The term's grams are worked
-- out once, not once per owner (a team of seven: 1.1 ms a call, not 3).
CREATE FUNCTION crmx_src.search_owned(owners bigint[], pattern text) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(a.account_id), '{}')
      FROM (SELECT DISTINCT unnest(owners) AS id) s,
           (SELECT crmx.pattern_grams(pattern) AS g) g
     CROSS JOIN LATERAL (SELECT a.account_id FROM crmx_src.accounts a
             WHERE crmx.search_keys(a.owner_id, a.name, a.city)
                   @> ARRAY(SELECT s.id || ':' || x FROM unnest(g.g) x)) a
$$;
