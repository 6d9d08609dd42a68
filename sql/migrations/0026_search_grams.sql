-- The search box at scale (issue 14): a part of an account's name or
-- city, in any case.  pg_trgm (0019) finds a term of three characters or
-- more, but a one- or two-character one (most Chinese searches: "海川")
-- makes no trigram, and its search read every account.  Here each account
-- is also indexed by the characters and pairs of characters of its name
-- and city, lowercased: a term's pairs (or its one character) are all in
-- the array of every account that holds it, so the GIN index below gives
-- the candidates and ILIKE keeps the exact matches (fcgi/queries.c,
-- ACCOUNTS_SEARCH).  Name and city are read as one string: a pair across
-- them is only an extra candidate, dropped by the ILIKE.

-- The characters and character pairs of lower(name || newline || city).
CREATE FUNCTION crmx.search_grams(name text, city text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
      FROM (SELECT lower(coalesce(name, '') || E'\n' || coalesce(city, '')) AS s) x,
           LATERAL (SELECT substr(x.s, i, 1) AS g FROM generate_series(1, length(x.s)) i
                    UNION ALL
                    SELECT substr(x.s, i, 2) FROM generate_series(1, length(x.s) - 1) i) y
$$;

-- The grams every match of an ILIKE pattern '%term%' (as fcgi/listnav.c
-- makes it: '\' escapes '%', '_' and '\') holds: the pairs of the
-- lowercased term, or its one character.
CREATE FUNCTION crmx.pattern_grams(pattern text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE WHEN length(t) <= 1 THEN ARRAY[t]
           ELSE ARRAY(SELECT DISTINCT substr(t, i, 2) FROM generate_series(1, length(t) - 1) i) END
      FROM (SELECT lower(regexp_replace(substr(pattern, 2, length(pattern) - 2),
                                        '\\(.)', '\1', 'g')) AS t) x
$$;

CREATE INDEX accounts_search_grams ON crmx_native.accounts
    USING gin (crmx.search_grams(name, city));
