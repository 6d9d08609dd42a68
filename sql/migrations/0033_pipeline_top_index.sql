-- The pipeline read afresh at scale (issue 16): an executive's deals by
-- priority ranked every open deal (98,500 at a million accounts) for one
-- page.  Keyed by stage and then amount, this index gives each open
-- stage's largest deals first and the deals above an amount as a range,
-- which is all fcgi's Q_PIPELINE_TOP reads (queries.c); it holds every
-- column the list shows, so the deals are read from it alone.
CREATE INDEX opportunities_stage_amount ON crmx_native.opportunities (stage, amount DESC)
    INCLUDE (opportunity_id, owner_id, probability, stage_entered_at, account_id, name);
