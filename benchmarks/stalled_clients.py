"""``/health`` latency of the emulator with 0 vs 1,200 stalled requests open.

Why: a client that sends a request's headers and part of its body and then nothing must not slow anyone
else down, and must be answered (408 / gRPC DEADLINE_EXCEEDED) once the emulator's ``body_timeout``
passes (issue 12, item 11).

What it does, in one run: starts an in-process emulator (``body_timeout`` 30 s, so the stalled requests
stay open while ``/health`` is measured), times ``--n`` sequential ``GET /_emulator/health`` requests on
one keep-alive HTTP/1.1 connection, then opens ``--stalled`` connections (half HTTP/1.1 ``POST
/oauth/token`` with ``Content-Length: 100`` and 11 body bytes, half HTTP/2 gRPC ``GetOrganization`` calls
whose length prefix announces 64 bytes and 2 arrive), times ``/health`` again, and finally waits for the
emulator to answer every stalled request when its body timeout passes and reports how long that took.

Run: ``python benchmarks/stalled_clients.py [--n 500] [--stalled 1200] [--body-timeout 30]``.
"""

from __future__ import annotations

import argparse
import http.client
import resource
import selectors
import socket
import statistics
import time

import h2.config
import h2.connection

from scalekit_py.emulator import Emulator

GET_ORG = "/scalekit.v1.organizations.OrganizationService/GetOrganization"
PARTIAL_FORM = (
    b"POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type="
)


def _health(host: str, port: int, n: int) -> tuple[float, float]:
    """p50 and p99 of ``n`` sequential /health requests on one connection, in milliseconds."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    times = []
    try:
        for _ in range(n):
            started = time.perf_counter()
            conn.request("GET", "/_emulator/health")
            reply = conn.getresponse()
            reply.read()
            times.append(time.perf_counter() - started)
            assert reply.status == 200, reply.status
    finally:
        conn.close()
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.99) - 1] * 1000


def _stall_http(host: str, port: int) -> socket.socket:
    sock = socket.create_connection((host, port))
    sock.sendall(PARTIAL_FORM)
    return sock


def _stall_grpc(host: str, port: int, token: str) -> socket.socket:
    sock = socket.create_connection((host, port))
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    headers = [
        (":method", "POST"), (":scheme", "http"), (":path", GET_ORG), (":authority", host),
        ("content-type", "application/grpc"), ("te", "trailers"), ("authorization", f"Bearer {token}"),
    ]  # fmt: skip
    conn.send_headers(1, headers)
    conn.send_data(1, b"\x00\x00\x00\x00\x40\x0a\x05")
    sock.sendall(conn.data_to_send())
    return sock


def _wait_answered(socks: list[socket.socket], limit: float) -> tuple[int, float]:
    """How many stalled connections the server answered (or closed) within ``limit`` seconds, and when the
    last one was, in seconds from now."""
    sel = selectors.DefaultSelector()
    for sock in socks:
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ)
    started, answered, last = time.monotonic(), 0, 0.0
    while answered < len(socks) and time.monotonic() - started < limit:
        for key, _ in sel.select(timeout=1.0):
            sel.unregister(key.fileobj)
            answered += 1
            last = time.monotonic() - started
    sel.close()
    return answered, last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--stalled", type=int, default=1200)
    parser.add_argument("--body-timeout", type=float, default=30.0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * args.stalled + 256  # both ends of every connection live in this process
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    with Emulator(body_timeout=args.body_timeout) as emu:
        host, port_text = emu.grpc_target.rsplit(":", 1)
        port = int(port_text)
        _health(host, port, 50)  # warm up
        idle = _health(host, port, args.n)
        token = emu.access_token()
        opened_at = time.monotonic()
        socks = [
            _stall_http(host, port) if i % 2 else _stall_grpc(host, port, token) for i in range(args.stalled)
        ]
        time.sleep(1.0)  # let the server accept and start reading them all
        loaded = _health(host, port, args.n)
        measured_for = time.monotonic() - opened_at
        answered, last = _wait_answered(socks, args.body_timeout + 60)
        for sock in socks:
            sock.close()
    print(f"{'stalled requests open':<24} {'/health p50 ms':>15} {'p99 ms':>8}")
    print(f"{0:<24} {idle[0]:>15.2f} {idle[1]:>8.2f}")
    print(f"{args.stalled:<24} {loaded[0]:>15.2f} {loaded[1]:>8.2f}")
    print(
        f"stalled requests answered or closed by the server: {answered}/{args.stalled}, the last "
        f"{last + measured_for:.1f} s after they were opened (body_timeout {args.body_timeout:g} s)"
    )


if __name__ == "__main__":
    main()
