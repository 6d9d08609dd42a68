#!/usr/bin/python3
"""A FastCGI client of one request, straight to a socket (no nginx), as an
attacker on the host would send it:
    fcgi_client.py SOCKET URI [NAME=VALUE ...]
SOCKET is a unix socket path or HOST:PORT.  Prints the response's Status
line ("Status: 200 OK") and exits 0; prints "refused: ERRNO-NAME" and exits
2 when the connection is refused (e.g. EACCES on the socket file)."""
import errno
import socket
import struct
import sys

BEGIN, END, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6


def record(kind, body):
    return struct.pack(">BBHHBx", 1, kind, 1, len(body), 0) + body


def pair(name, value):
    out = b""
    for s in (name, value):
        out += bytes([len(s)]) if len(s) < 128 else struct.pack(">I", len(s) | 0x80000000)
    return out + name + value


def main():
    where, uri = sys.argv[1], sys.argv[2]
    params = {"REQUEST_METHOD": "GET", "REQUEST_URI": uri, "QUERY_STRING": ""}
    for a in sys.argv[3:]:
        k, _, v = a.partition("=")
        params[k] = v
    try:
        if where.startswith("/"):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect(where)
        else:
            host, _, port = where.rpartition(":")
            s = socket.create_connection((host, int(port)), timeout=10)
    except OSError as e:
        print("refused: " + errno.errorcode.get(e.errno, str(e.errno)))
        return 2
    body = b"".join(pair(k.encode(), v.encode()) for k, v in params.items())
    s.sendall(record(BEGIN, struct.pack(">HB5x", 1, 0)) + record(PARAMS, body) +
              record(PARAMS, b"") + record(STDIN, b""))
    data, out = b"", b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    while len(data) >= 8:
        _, kind, _, n, pad = struct.unpack(">BBHHB", data[:7])
        if kind == STDOUT:
            out += data[8:8 + n]
        data = data[8 + n + pad:]
    for line in out.split(b"\r\n"):
        if line.startswith(b"Status:"):
            print(line.decode())
            return 0
    print("no status in the answer")
    return 1


if __name__ == "__main__":
    sys.exit(main())
