-- The panels read a viewer's deals by owner (pipeline, priority list).  A
-- rep's deals are spread over as many heap pages as there are deals; this
-- index holds what those statements read, so they are answered from a few
-- index pages (index-only scans once autovacuum has marked the pages).
CREATE INDEX opportunities_owner_panel ON crmx_native.opportunities (owner_id)
    INCLUDE (opportunity_id, stage, amount, probability, created_at, expected_close,
             stage_entered_at, account_id, name);
