-- Runs requested over HTTP (POST /api/runs), recorded before the request
-- is acknowledged so that one survives a crash or restart of reportd: a
-- shared queue for every instance.  A row is worked on under a session
-- advisory lock on its id (class "crmr"), so a dead instance's row is free
-- again at once and any instance takes it up.
--   pending  waiting for next_try_at (new, or after a failed attempt)
--   done     the run (run_id) is computed and its report written
--   failed   gave up after 5 attempts (last_error says why)
CREATE TABLE crmx.run_request (
    id            bigserial PRIMARY KEY,
    as_of         date NOT NULL,
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'done', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    next_try_at   timestamptz NOT NULL DEFAULT now(),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    requested_by  text,          -- the client's address
    run_id        bigint,
    last_error    text,
    finished_at   timestamptz
);
CREATE INDEX run_request_pending ON crmx.run_request (next_try_at, id) WHERE status = 'pending';
