-- The search box of a rep or a manager (issue 16).  The index of grams
-- (0026) finds every account whose name or city holds a term's pairs of
-- characters: for "harbor" at a million accounts, 33,377 of them on
-- 14,215 pages, of which a team of seven owns 215.  Each search of a rep
-- or a manager read them all and kept its own (100 ms; 6 searches a
-- second for a manager at 64 connections).
--
-- Each account is now indexed also by its owner's grams: the owner's id,
-- ':' and a gram.  A term's grams prefixed with an owner find that
-- owner's matches alone, a few hundred entries where the plain grams give
-- tens of thousands.  A plain gram has one or two characters, an owner's
-- three or more, so the two never meet.  The one index holds both: the
-- executive's search still reads the plain grams.
--
-- crmx_src.search_owned(owners, pattern) is how the panels ask: the
-- candidates among the owners' accounts for an ILIKE pattern (the caller
-- keeps the exact matches).  Each adapter defines it.  The native one
-- reads the index below; over a CRM's own tables, where nothing indexes
-- the grams, it reads the owners' accounts with the ILIKE (as the panels
-- did before).  This migration defines that second form, so that a
-- database whose adapter is not yet made again still answers; making the
-- native adapter again (crmx-admin adapter native) brings the index into
-- use.

-- The grams of 0026 and the same prefixed with the owner's id, in one
-- query as search_grams is.  Calling search_grams from here, the index of
-- a million accounts was on course for a quarter of an hour; so, about 7
-- minutes on this shared machine (0026's took 3).
CREATE FUNCTION crmx.search_keys(owner_id bigint, name text, city text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
           || coalesce(array_agg(DISTINCT owner_id || ':' || g)
                       FILTER (WHERE owner_id IS NOT NULL), '{}')
      FROM (SELECT lower(coalesce(name, '') || E'\n' || coalesce(city, '')) AS s) x,
           LATERAL (SELECT substr(x.s, i, 1) AS g FROM generate_series(1, length(x.s)) i
                    UNION ALL
                    SELECT substr(x.s, i, 2) FROM generate_series(1, length(x.s) - 1) i) y
$$;

-- A long term's pairs, six of them spread along it (its first and last
-- among them).  Each pair costs the index about as much as another (a
-- common one, 2 to 3 ms at a million accounts), and any of a term's pairs
-- are in every match: "beacon standard holdings", 23 pairs, 64 ms for 65
-- candidates; six of them, 18 ms for 98, which the ILIKE then keeps or
-- drops.  A term of up to seven characters keeps all its pairs.
CREATE OR REPLACE FUNCTION crmx.pattern_grams(pattern text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE WHEN length(t) <= 1 THEN ARRAY[t]
           WHEN length(t) <= 7
           THEN ARRAY(SELECT DISTINCT substr(t, i, 2) FROM generate_series(1, length(t) - 1) i)
           ELSE ARRAY(SELECT DISTINCT substr(t, i, 2)
                        FROM (SELECT round(1 + k * (length(t) - 2) / 5.0)::int AS i
                                FROM generate_series(0, 5) k) k)
           END
      FROM (SELECT lower(regexp_replace(substr(pattern, 2, length(pattern) - 2),
                                        '\\(.)', '\1', 'g')) AS t) x
$$;

DROP INDEX crmx_native.accounts_search_grams;
CREATE INDEX accounts_search_keys ON crmx_native.accounts
    USING gin (crmx.search_keys(owner_id, name, city));

-- The candidates where nothing indexes the keys (a CRM's own tables):
-- the owners' accounts that match.  PL/pgSQL, so that crmx_src need not
-- exist yet.
CREATE FUNCTION crmx.search_owned_scan(owners bigint[], pattern text) RETURNS bigint[]
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN ARRAY(SELECT a.account_id FROM crmx_src.accounts a
                  WHERE a.owner_id = ANY(owners)
                    AND (a.name ILIKE pattern OR a.city ILIKE pattern));
END $$;

-- Until the adapter is made again, that.  On a new database the adapter
-- comes after the migrations and defines its own.
DO $$
BEGIN
    IF to_regclass('crmx_src.accounts') IS NOT NULL THEN
        CREATE OR REPLACE FUNCTION crmx_src.search_owned(owners bigint[], pattern text)
        RETURNS bigint[] LANGUAGE sql STABLE
        AS 'SELECT crmx.search_owned_scan(owners, pattern)';
    END IF;
END $$;
