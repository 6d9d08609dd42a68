-- 0034 rebuilt the native deals' index by owner and stage with the close
-- date as its third key, and in doing so dropped the columns 0013 had
-- carried in it.  Since then every reader of a scope of owners' open
-- deals (a rep's or manager's pipeline page, funnel and team view)
-- fetched each deal's row from the table: 654 rows from 657 pages for a
-- manager at a million deals, about 6 of the pipeline page's statement's
-- 11 ms per request.  The same keys (0034's reads of a changed owner's
-- closed deals by close date keep their plan) with 0013's columns back:
-- an index-only scan once the table's pages are all-visible.  HOT updates
-- are not lost by this: 0027's index by stage already carries the same
-- columns.
DROP INDEX crmx_native.opportunities_owner_stage;
CREATE INDEX opportunities_owner_stage ON crmx_native.opportunities (owner_id, stage, closed_at)
    INCLUDE (opportunity_id, amount, probability, created_at, expected_close,
             stage_entered_at, account_id, name);
