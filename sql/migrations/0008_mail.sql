-- The weekly report mailed to executives: one row per ISO week and
-- recipient, claimed atomically by whichever reportd instance gets to it
-- first, so that a report is mailed at most once per recipient and week
-- however many instances run or restart.
--   pending  waiting for next_try_at (new, or after a failed attempt)
--   sending  claimed by the instance whose database session is
--            claimed_pid/claimed_backend_start; when that session is gone
--            the instance died and the row is taken over
--   sent     the server accepted it (message_id, sent_at)
--   failed   gave up after [mail] retry_max attempts (last_error says why)

CREATE TABLE crmx.mail_delivery (
    id                     bigserial PRIMARY KEY,
    week                   text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
    recipient              text NOT NULL CHECK (recipient <> ''),
    language               text NOT NULL,
    run_id                 bigint,        -- the run the mailed report came from
    status                 text NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts               integer NOT NULL DEFAULT 0,
    next_try_at            timestamptz NOT NULL DEFAULT now(),
    claimed_by             text,          -- host:pid of the instance
    claimed_pid            integer,       -- its database backend
    claimed_backend_start  timestamptz,
    claimed_at             timestamptz,
    sent_at                timestamptz,
    message_id             text,
    smtp_code              integer,       -- last server reply code, when there was one
    last_error             text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
-- The guarantee: one row, hence at most one message, per week and address
-- (addresses compared without case).
CREATE UNIQUE INDEX mail_delivery_week_recipient ON crmx.mail_delivery (week, lower(recipient));
CREATE INDEX ON crmx.mail_delivery (status, next_try_at);
