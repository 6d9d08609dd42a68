#!/usr/bin/python3
"""A real SMTP server for the mail tests (Debian's python3-aiosmtpd) on a
random free loopback port: every accepted message is written to DIR as
NNNN.eml with its envelope in NNNN.json, every RCPT answered is logged in
DIR/rcpt.log.  It can refuse, delay, require STARTTLS and a login.

usage: smtpd.py --dir DIR --port-file FILE [--refuse-rcpt CODE:N]
                [--refuse-data CODE:N] [--slow-rcpt SECONDS]
                [--tls CERT KEY] [--auth USER:PASSWORD]
The port is written to FILE once the server listens; SIGTERM stops it.
"""
import argparse
import asyncio
import json
import os
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

REPLIES = {
    "421": "421 4.3.2 Service not available, closing channel",
    "451": "451 4.3.0 Local error in processing, try again later",
    "452": "452 4.3.1 Insufficient system storage",
    "550": "550 5.1.1 Mailbox unavailable",
    "554": "554 5.7.1 Transaction failed",
}


def parse_refusal(s):
    if s is None:
        return None, 0
    code, _, n = s.partition(":")
    return REPLIES.get(code, code + " refused"), int(n or "1")


class Sink:
    def __init__(self, args):
        self.dir = args.dir
        self.rcpt_reply, self.rcpt_left = parse_refusal(args.refuse_rcpt)
        self.data_reply, self.data_left = parse_refusal(args.refuse_data)
        self.slow = args.slow_rcpt
        self.count = 0

    def log(self, line):
        with open(os.path.join(self.dir, "rcpt.log"), "a") as f:
            f.write(line + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.slow:
            await asyncio.sleep(self.slow)
        if self.rcpt_left > 0:
            self.rcpt_left -= 1
            self.log("%s %s" % (address, self.rcpt_reply[:3]))
            return self.rcpt_reply
        self.log("%s 250" % address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_left > 0:
            self.data_left -= 1
            self.log("DATA %s" % self.data_reply[:3])
            return self.data_reply
        self.count += 1
        base = os.path.join(self.dir, "%04d" % self.count)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "tls": session.ssl is not None,
                       "login": session.auth_data.login.decode()
                       if isinstance(session.auth_data, LoginPassword) else None}, f)
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 Message accepted for delivery"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--refuse-rcpt")
    ap.add_argument("--refuse-data")
    ap.add_argument("--slow-rcpt", type=float, default=0)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--auth")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    handler = Sink(args)
    kw = {"hostname": "sink.test", "ident": "crmx test sink"}
    if args.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        kw.update(tls_context=ctx, require_starttls=True)
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
        kw.update(authenticator=authenticator, auth_require_tls=bool(args.tls),
                  auth_required=True)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, loop=loop, **kw), "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(args.port_file + ".tmp", args.port_file)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
