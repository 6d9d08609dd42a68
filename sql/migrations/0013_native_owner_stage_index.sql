-- The pipeline reads a viewer's open deals only: keyed by owner and then
-- stage, the index answers "owner's deals in the open stages" by reading
-- those entries alone (a rep's closed deals outnumber the open ones four
-- to one).  It serves every reader of 0009's index, which it replaces.
CREATE INDEX opportunities_owner_stage ON crmx_native.opportunities (owner_id, stage)
    INCLUDE (opportunity_id, amount, probability, created_at, expected_close,
             stage_entered_at, account_id, name);
DROP INDEX crmx_native.opportunities_owner_panel;
