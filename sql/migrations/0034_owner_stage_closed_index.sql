-- A changed owner's closed deals read live (issue 16): the panels' sums
-- from a run leave out the owners whose deals changed since, and read
-- those owners' deals closed in the run's window now (fcgi/queries.c,
-- CLOSED_AGG: lost reasons, win rate by source).  With an index by owner
-- and stage and another by close date, PostgreSQL's one plan for every
-- value ANDed the two: every deal closed in the 12 months (685,000 at a
-- million accounts) for a rep's 650, 72 ms on each read of a changed
-- rep's pipeline.  Keyed by owner, stage and close date, one index gives
-- exactly those deals; it keeps 0013's name and serves its reads (owner
-- and stage) as before.
DROP INDEX crmx_native.opportunities_owner_stage;
CREATE INDEX opportunities_owner_stage ON crmx_native.opportunities (owner_id, stage, closed_at);
