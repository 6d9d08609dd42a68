-- A pipeline's team found by the first of its users (0057): a user is in
-- one team, so the first id of a scope names at most one stored team,
-- whose users are then compared with the scope as a whole.  The index on
-- the whole array (open_team_owners) was not what the statement asks by.
DROP INDEX IF EXISTS crmx.open_team_owners;
CREATE UNIQUE INDEX IF NOT EXISTS open_team_first ON crmx.open_team (run_id, (owners[1]));
