-- A manager's scope (issue 16): every panel request looks up the viewer
-- and, for a manager, the users of the same team (fcgi/queries.c,
-- Q_VIEWER).  Without an index by team that read every user: 0.15 ms of
-- each of a manager's pages with the bench set's 1,100 users, where the
-- rest of the page's statements take about 2 ms.
CREATE INDEX users_team ON crmx_native.users (team);
