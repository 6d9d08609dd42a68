#!/usr/bin/python3
"""A scripted mix of HTTP requests for the reliability tests (valgrind,
faults): CONNS threads, each on its own kept-alive connection, go round a
list of requests until COUNT requests are made or SECONDS have passed.

  loadmix.py run --base URL --list FILE [--count N] [--seconds S]
                 [--conns C] [--timeout T] [--log FILE] [--until-file F]
  loadmix.py window LOG FROM TO     what was answered between two times
  loadmix.py recovery LOG T         seconds after T until all answers are as expected

List lines (tab-separated): METHOD PATH USER EXPECTED [BODY]; the password
is "demo".  METHOD FORM asks for PATH.json first and posts BODY with its
csrf_token to PATH (HTML, expects EXPECTED) — two requests.
`run` prints key=value lines: requests, status_NNN counts (000: no answer),
unexpected (answers other than EXPECTED), p50/p90/p99/max latency in ms,
and the first few unexpected answers on stderr.  The log has one line per
request: start time, seconds taken, status, expected status.  With
--until-file, no request starts once that file exists (--seconds still
bounds the run).
"""
import argparse
import base64
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def load_list(path):
    reqs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            method, rpath, user, expected = parts[:4]
            body = parts[4] if len(parts) > 4 else ""
            auth = "Basic " + base64.b64encode((user + ":demo").encode()).decode()
            reqs.append((method, rpath, auth, int(expected), body))
    if not reqs:
        sys.exit("loadmix: empty request list " + path)
    return reqs


class Runner:
    def __init__(self, args):
        u = urllib.parse.urlsplit(args.base)
        self.host, self.port = u.hostname, u.port or 80
        self.reqs = load_list(args.list)
        self.count, self.timeout = args.count, args.timeout
        self.deadline = time.time() + args.seconds if args.seconds else None
        self.until_file = args.until_file
        self.lock = threading.Lock()
        self.next = 0
        self.made = 0
        self.results = []   # (start, seconds, status, expected)
        self.bad = []

    def take(self):
        with self.lock:
            if self.count and self.made >= self.count:
                return None
            if self.deadline and time.time() >= self.deadline:
                return None
            if self.until_file and os.path.exists(self.until_file):
                return None
            r = self.reqs[self.next % len(self.reqs)]
            self.next += 1
            self.made += 2 if r[0] == "FORM" else 1
            return r

    def one(self, conn, method, path, auth, body, expected):
        headers = {"Authorization": auth}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        t0 = time.time()
        status, data = 0, b""
        try:
            conn.request(method, path, body=body.encode() if body else None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            status = resp.status
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            data = str(e).encode()
        t1 = time.time()
        with self.lock:
            self.results.append((t0, t1 - t0, status, expected))
            if status != expected and len(self.bad) < 10:
                self.bad.append("%s %s -> %d (expected %d): %s" % (
                    method, path, status, expected, data[:160].decode("utf-8", "replace")))
        return status, data

    def worker(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        while True:
            r = self.take()
            if r is None:
                break
            method, path, auth, expected, body = r
            if method == "FORM":
                status, data = self.one(conn, "GET", path + ".json", auth, "", 200)
                token = ""
                if status == 200:
                    try:
                        token = json.loads(data)["csrf_token"]
                    except (ValueError, KeyError):
                        pass
                self.one(conn, "POST", path, auth, body + "&csrf=" + token, expected)
            else:
                self.one(conn, method, path, auth, body, expected)
        conn.close()


def pct(sorted_vals, p):
    if not sorted_vals:
        return 0.0
    i = min(len(sorted_vals) - 1, int(round(p / 100.0 * (len(sorted_vals) - 1))))
    return sorted_vals[i]


def summary(results):
    lat = sorted(r[1] * 1000 for r in results)
    out = {"requests": len(results),
           "unexpected": sum(1 for r in results if r[2] != r[3])}
    for r in results:
        k = "status_%03d" % r[2]
        out[k] = out.get(k, 0) + 1
    for p in (50, 90, 99):
        out["p%d_ms" % p] = "%.1f" % pct(lat, p)
    out["max_ms"] = "%.1f" % (lat[-1] if lat else 0)
    return out


def cmd_run(args):
    run = Runner(args)
    threads = [threading.Thread(target=run.worker) for _ in range(args.conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if args.log:
        with open(args.log, "w") as f:
            for r in sorted(run.results):
                f.write("%.3f %.3f %d %d\n" % r)
    for line in run.bad:
        print("loadmix: " + line, file=sys.stderr)
    for k, v in summary(run.results).items():
        print("%s=%s" % (k, v))


def read_log(path):
    with open(path) as f:
        return [(float(a), float(b), int(c), int(d)) for a, b, c, d in
                (line.split() for line in f)]


def cmd_window(args):
    """Answers to the requests that were under way between FROM and TO."""
    res = [r for r in read_log(args.log) if r[0] < args.to and r[0] + r[1] >= args.frm]
    for k, v in summary(res).items():
        print("%s=%s" % (k, v))


def cmd_recovery(args):
    """Seconds from T until the last answer other than the expected one
    (0: none), and how many came as expected after it."""
    res = read_log(args.log)
    after = [r for r in res if r[0] + r[1] >= args.t]
    last_bad = max((r[0] + r[1] for r in after if r[2] != r[3]), default=args.t)
    print("recovery_s=%.1f" % (last_bad - args.t))
    print("answered_after=%d" % sum(1 for r in after if r[0] + r[1] > last_bad and r[2] == r[3]))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--base", required=True)
    r.add_argument("--list", required=True)
    r.add_argument("--count", type=int, default=0)
    r.add_argument("--seconds", type=float, default=0)
    r.add_argument("--conns", type=int, default=4)
    r.add_argument("--timeout", type=float, default=60)
    r.add_argument("--log")
    r.add_argument("--until-file")
    w = sub.add_parser("window")
    w.add_argument("log")
    w.add_argument("frm", type=float)
    w.add_argument("to", type=float)
    v = sub.add_parser("recovery")
    v.add_argument("log")
    v.add_argument("t", type=float)
    args = ap.parse_args()
    if args.cmd == "run":
        if not args.count and not args.seconds:
            ap.error("run needs --count or --seconds")
        cmd_run(args)
    elif args.cmd == "window":
        cmd_window(args)
    else:
        cmd_recovery(args)


if __name__ == "__main__":
    main()
