"""Page time of the user list RPCs as the store grows: 1k, 10k and 50k users.

Why: a list RPC must cost O(page), not O(users) (issue 12, item 12). ``ListUsers`` pages in SQL; before the
``docs (kind, seq)`` index SQLite sorted every user for every page. ``ListOrganizationUsers`` filters on
membership in Python, decoding every user per page.

What it does, in one run: starts an in-process emulator, writes users straight into its store (see
``_support/emulator.py``: every user is a member of the seeded organization) up to each size, then times
``--pages`` consecutive pages (``page_size=100``, following ``next_page_token``) of each RPC through a raw
gRPC stub on one channel and prints the median page time and its ratio to the 1k median.

Run: ``python benchmarks/list_paging.py [--sizes 1000,10000,50000] [--pages 15]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import grpc
from _support.emulator import lift_request_cap, seed_users

from scalekit_api.v1.users import users_pb2, users_pb2_grpc
from scalekit_py.emulator import Emulator


def _p50(
    call: grpc.UnaryUnaryMultiCallable,
    request: users_pb2.ListUsersRequest,
    pages: int,
    metadata: tuple[tuple[str, str], ...],
) -> float:  # type: ignore[type-arg]
    times = []
    for _ in range(pages):
        started = time.perf_counter()
        reply = call(request, metadata=metadata, timeout=120)
        times.append(time.perf_counter() - started)
        if not reply.next_page_token:
            break
        request.page_token = reply.next_page_token
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--pages", type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lift_request_cap()
    base: dict[str, float] = {}
    print(f"{'users':>7} {'RPC':<24} {'page p50 ms':>12} {'x 1k':>6}")
    for size in sizes:
        with Emulator() as emu, grpc.insecure_channel(emu.grpc_target) as channel:
            assert emu.seeded is not None
            seed_users(emu, size)
            stub = users_pb2_grpc.UserServiceStub(channel)
            metadata = (("authorization", f"Bearer {emu.access_token()}"),)
            org_request = users_pb2.ListOrganizationUsersRequest(organization_id=emu.seeded.organization_id)
            org_request.page_size = 100
            rows = {
                "ListUsers": _p50(
                    stub.ListUsers, users_pb2.ListUsersRequest(page_size=100), args.pages, metadata
                ),
                "ListOrganizationUsers": _p50(stub.ListOrganizationUsers, org_request, args.pages, metadata),
            }
        for name, ms in rows.items():
            base.setdefault(name, ms)
            print(f"{size:>7} {name:<24} {ms:>12.2f} {ms / base[name]:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
