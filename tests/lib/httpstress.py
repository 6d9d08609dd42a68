#!/usr/bin/python3
"""Hostile and stalled conditions for reportd's HTTP service, for
tests/integration/reportd_http.sh.  Every mode is bounded in time and
connections, prints its figures and exits 0 when the service held.

  httpstress.py stallpg DIR SECONDS
      a "PostgreSQL" on DIR/.s.PGSQL.5432 that accepts and never answers
      (as a stopped postmaster does), for SECONDS
  httpstress.py storm PORT PATH N STATIC QUICK
      N connections ask for PATH at once (kept open); once QUICK of them
      are answered (or after 3 s), STATIC is fetched 10 times: every fetch
      must answer 200 in under 1 s, and at least QUICK of the N must get
      an HTTP answer within 3 s
  httpstress.py slowloris PORT N SECONDS ADDRS STATIC DEADLINE
      N clients from 127.0.0.2 .. 127.0.0.(ADDRS+1) send a request line,
      then one header byte every 2 s, reconnecting when closed, for
      SECONDS; meanwhile a client on 127.0.0.1 fetches STATIC every 0.1 s:
      every fetch must answer 200 in under 1 s, and no slow connection may
      live longer than DEADLINE s
  httpstress.py raw PORT REQUEST
      sends REQUEST (\\r\\n escapes) and prints the status line
"""
import os
import select
import socket
import sys
import threading
import time


def get(port, path, timeout=2.0, src="127.0.0.1"):
    """(status, seconds) of one GET on a new connection; status 0 on failure."""
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                     source_address=(src, 0))
        s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                   % path).encode())
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        s.close()
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    except (OSError, ValueError, IndexError):
        status = 0
    return status, time.monotonic() - t0


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))] if v else float("nan")


def stallpg(d, seconds):
    path = os.path.join(d, ".s.PGSQL.5432")
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(512)
    held = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        r, _, _ = select.select([ls], [], [], 0.2)
        if r:
            held.append(ls.accept()[0])	# never read, never answer
    for c in held:
        c.close()
    ls.close()
    os.unlink(path)
    return 0


def storm(port, path, n, static, quick):
    conns, t0 = [], time.monotonic()
    for _ in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path).encode())
            conns.append((s, time.monotonic()))
        except OSError:
            pass
    pending = {s: t for s, t in conns}
    buf = {s: b"" for s, _ in conns}
    answered = []

    def collect(until, enough):
        while pending and len(answered) < enough and time.monotonic() < until:
            r, _, _ = select.select(list(pending), [], [], 0.1)
            for s in r:
                try:
                    b = s.recv(4096)
                except OSError:
                    b = b""
                buf[s] += b
                if b"\r\n" in buf[s] or not b:
                    line = buf[s].split(b"\r\n", 1)[0]
                    code = int(line.split()[1]) if line.startswith(b"HTTP/") else 0
                    answered.append((code, time.monotonic() - pending.pop(s)))

    # Until the quick answers are in (at most 3 s); then the static file,
    # with every connection still open and the slow ones still waiting.
    collect(t0 + 3, quick)
    waiting = len(pending)
    fetches = []
    while len(fetches) < 10 and all(c == 200 and t < 1.0 for c, t in fetches):
        fetches.append(get(port, static, timeout=5))	# up to the first failure
    collect(time.monotonic() + 15, n)
    for s, _ in conns:
        s.close()
    times = [t for _, t in fetches]
    print("storm: %d connections on %s (%d accepted); %s with all open and %d still "
          "waiting: %s s, max %.3f s"
          % (n, path, len(conns), static, waiting, " ".join("%.3f" % t for t in times),
             max(times)))
    codes = {}
    for c, _ in answered:
        codes[c] = codes.get(c, 0) + 1
    at = [t for _, t in answered]
    print("storm: %s answered %d of %d within 15 s (status: %s), p50 %.3f s, p90 %.3f s, max %.3f s"
          % (path, len(answered), len(conns), codes, pct(at, 50), pct(at, 90),
             max(at) if at else float("nan")))
    n_quick = len([1 for c, t in answered if c != 0 and t < 3.0])
    print("storm: %d of %s answered within 3 s (wanted %d)" % (n_quick, path, quick))
    ok = (len(fetches) == 10 and all(c == 200 and t < 1.0 for c, t in fetches)
          and n_quick >= quick)
    return 0 if ok else 1


def slowloris(port, n, seconds, addrs, static, deadline):
    lock = threading.Lock()
    lifetimes, survived, stop = [], [], time.monotonic() + seconds
    opened = [0]

    def slow(i):
        src = "127.0.0.%d" % (2 + i % addrs)
        while time.monotonic() < stop:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=3,
                                             source_address=(src, 0))
            except OSError:
                time.sleep(0.5)
                continue
            t0 = time.monotonic()
            with lock:
                opened[0] += 1
            try:
                s.sendall(b"GET /reports/ HTTP/1.1\r\nHost: t\r\nX-a: ")
                while time.monotonic() < stop:
                    r, _, _ = select.select([s], [], [], 2.0)
                    if r and not s.recv(4096):
                        raise OSError("closed")
                    s.sendall(b"a")
                with lock:
                    survived.append(time.monotonic() - t0)
                s.close()
            except OSError:
                with lock:
                    lifetimes.append(time.monotonic() - t0)
                s.close()
                time.sleep(1.0)

    threads = [threading.Thread(target=slow, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(3)		# the slow clients take their places
    fetches = []
    while time.monotonic() < stop:
        fetches.append(get(port, static, timeout=3))
        time.sleep(0.1)
    for t in threads:
        t.join(5)
    times = [t for _, t in fetches]
    bad = [(c, t) for c, t in fetches if c != 200 or t >= 1.0]
    longest = max(lifetimes + survived) if lifetimes + survived else 0
    print("slowloris: %d slow clients from %d addresses, %d connections opened, "
          "%d closed by reportd, %d still open at the end; longest lived %.1f s "
          "(allowed %s s)" % (n, addrs, opened[0], len(lifetimes), len(survived),
                             longest, deadline))
    print("slowloris: %s fetched %d times meanwhile, %d failed or slower than 1 s; "
          "p50 %.3f s, p90 %.3f s, p99 %.3f s, max %.3f s"
          % (static, len(fetches), len(bad), pct(times, 50), pct(times, 90),
             pct(times, 99), max(times) if times else float("nan")))
    ok = (len(fetches) >= 20 and not bad and len(lifetimes) >= n
          and longest <= float(deadline))
    return 0 if ok else 1


def raw(port, request):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(request.encode().decode("unicode_escape").encode("latin-1"))
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            b = s.recv(4096)
            if not b:
                break
            data += b
    except OSError:
        pass
    s.close()
    print(data.split(b"\r\n", 1)[0].decode("latin-1"))
    return 0


def main(a):
    if a[1] == "stallpg":
        return stallpg(a[2], float(a[3]))
    if a[1] == "storm":
        return storm(int(a[2]), a[3], int(a[4]), a[5], int(a[6]))
    if a[1] == "slowloris":
        return slowloris(int(a[2]), int(a[3]), float(a[4]), int(a[5]), a[6], a[7])
    if a[1] == "raw":
        return raw(int(a[2]), a[3])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
