-- The account concentration figures of docs/metrics.md §1 by SQL window
-- functions: the baseline crmx is measured against in `make bench`.
-- Prints: n total top20_share gini A-accounts (as crmx's summary has them).
SET TimeZone = 'UTC';
WITH net AS (
    SELECT account_id, sum(amount) AS v
    FROM crmx_src.revenue
    WHERE booked_at >= (:'as_of'::date - 364) AND booked_at < (:'as_of'::date + 1)
    GROUP BY account_id
    HAVING sum(amount) > 0
), ranked AS (
    SELECT v,
           row_number() OVER w AS i,
           sum(v) OVER (w ROWS UNBOUNDED PRECEDING) AS cum,
           count(*) OVER () AS n,
           sum(v) OVER () AS t
    FROM net
    WINDOW w AS (ORDER BY v DESC, account_id)
)
SELECT max(n),
       to_char(max(t), 'FM999999999999990.00'),
       to_char(max(cum) FILTER (WHERE i = greatest(round(0.2 * n), 1)) / max(t), 'FM0.000000'),
       to_char(2 * sum((n - i + 1) * v) / (max(n) * max(t)) - (max(n) + 1)::numeric / max(n), 'FM0.000000'),
       count(*) FILTER (WHERE cum - v < 0.8 * t)
FROM ranked;
