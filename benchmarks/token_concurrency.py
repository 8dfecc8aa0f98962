"""Token requests made by many concurrent cold calls: one per client, whatever the concurrency.

Why: a client that has no token yet and is hit by many calls at once must fetch one token, not one per call
(issue 4, item 5: single-flight across asyncio tasks and threads). The emulator counts every request to
``/oauth/token``, so the count is the server's, not the client's own bookkeeping.

What it does, in one run, against an in-process emulator on a free 127.0.0.1 port:

- ``async``: a fresh ``AsyncScalekitClient``; ``--tasks`` (1,000) ``get_organization`` calls started at
  once with ``asyncio.gather``;
- ``threads``: a fresh ``ScalekitClient``; ``--threads`` (64) threads released together by a barrier, each
  making ``--calls-per-thread`` (1) calls;

each once as is and once with ``--token-latency-ms`` (100 ms) added by the emulator to every token
request, so that every cold call arrives while the first token request is still in flight. For each it
prints the token requests counted by the emulator (``emu.counters.token_requests("client_credentials")``
before and after), the RPCs it served, the errors seen, and token requests per call. ``--rounds`` repeats
everything with fresh clients.

Run: ``python benchmarks/token_concurrency.py [--tasks 1000] [--threads 64] [--rounds 1]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support.emulator import lift_request_cap

from scalekit_py.emulator import Emulator

GET_ORGANIZATION = "/scalekit.v1.organizations.OrganizationService/GetOrganization"


@dataclass(frozen=True)
class Outcome:
    """What one scenario did, as counted by the emulator."""

    scenario: str
    token_latency_ms: float
    calls: int
    token_requests: int
    rpcs_served: int
    errors: int
    seconds: float


def _counted(emu: Emulator, run: Callable[[], int]) -> tuple[int, int, int, float]:
    """Token requests and GetOrganization RPCs the emulator saw while ``run`` ran; its errors; seconds."""
    tokens0 = emu.counters.token_requests("client_credentials")
    rpcs0 = emu.counters.rpcs(GET_ORGANIZATION)
    started = time.perf_counter()
    errors = run()
    seconds = time.perf_counter() - started
    tokens = emu.counters.token_requests("client_credentials") - tokens0
    return tokens, emu.counters.rpcs(GET_ORGANIZATION) - rpcs0, errors, seconds


def cold_async_calls(emu: Emulator, tasks: int) -> int:
    """``tasks`` concurrent ``get_organization`` calls on a fresh async client; returns the errors."""
    from scalekit_py import AsyncScalekitClient

    assert emu.seeded is not None
    org_id = emu.seeded.organization_id

    async def go() -> int:
        async with AsyncScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
            results = await asyncio.gather(
                *(client.organization.get_organization(org_id) for _ in range(tasks)),
                return_exceptions=True,
            )
        return sum(isinstance(r, BaseException) for r in results)

    return asyncio.run(go())


def cold_thread_calls(emu: Emulator, threads: int, calls_per_thread: int) -> int:
    """``threads`` threads, released together, each making calls on one fresh sync client; the errors."""
    from scalekit_py import ScalekitClient

    assert emu.seeded is not None
    org_id = emu.seeded.organization_id
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
        service = client.organization  # built before the race: only the token is cold

        def worker() -> None:
            barrier.wait()
            for _ in range(calls_per_thread):
                try:
                    service.get_organization(org_id)
                except Exception as exc:  # counted and reported, not raised in a thread
                    errors.append(exc)

        pool = [threading.Thread(target=worker, name=f"cold-{i}") for i in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    return len(errors)


def run_scenarios(emu: Emulator, args: argparse.Namespace) -> list[Outcome]:
    """Every scenario once (per round), without and with added token-endpoint latency."""
    outcomes: list[Outcome] = []
    threaded_calls = args.threads * args.calls_per_thread
    for latency in (0.0, args.token_latency_ms):
        emu.faults.set(token_latency_ms=latency)
        try:
            tokens, rpcs, errors, secs = _counted(emu, lambda: cold_async_calls(emu, args.tasks))
            outcomes.append(Outcome("async tasks", latency, args.tasks, tokens, rpcs, errors, secs))
            tokens, rpcs, errors, secs = _counted(
                emu, lambda: cold_thread_calls(emu, args.threads, args.calls_per_thread)
            )
            outcomes.append(Outcome("threads", latency, threaded_calls, tokens, rpcs, errors, secs))
        finally:
            emu.faults.clear()
    return outcomes


def table(outcomes: list[Outcome]) -> list[str]:
    """One row per scenario and round."""
    head = (
        f"{'scenario':<13}{'token delay':>12}{'cold calls':>12}{'token requests':>16}{'per call':>10}"
        f"{'RPCs served':>13}{'errors':>8}{'seconds':>9}"
    )
    lines = [head, "-" * len(head)]
    for o in outcomes:
        lines.append(
            f"{o.scenario:<13}{o.token_latency_ms:>9.0f} ms{o.calls:>12,}{o.token_requests:>16}"
            f"{o.token_requests / o.calls:>10.4f}{o.rpcs_served:>13,}{o.errors:>8}{o.seconds:>9.2f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Start an emulator, run the scenarios, print the table and whether each made exactly one request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000, help="concurrent async calls (default 1000)")
    parser.add_argument("--threads", type=int, default=64, help="threads (default 64)")
    parser.add_argument("--calls-per-thread", type=int, default=1, help="calls per thread (default 1)")
    parser.add_argument(
        "--token-latency-ms", type=float, default=100.0, help="token delay of the second pass (default 100)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="repeat with fresh clients (default 1)")
    args = parser.parse_args(argv)
    if min(args.tasks, args.threads, args.calls_per_thread, args.rounds) < 1 or args.token_latency_ms < 0:
        parser.error("counts must be >= 1 and the latency >= 0")

    print(f"python {platform.python_version()}, {os.cpu_count()} cpu(s)")
    lift_request_cap()
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    with Emulator() as emu:
        print(f"emulator in process at {emu.env_url}; every call is GetOrganization on a fresh client\n")
        for _ in range(args.rounds):
            outcomes += run_scenarios(emu, args)
    for line in table(outcomes):
        print(line)
    exact = sum(o.token_requests == 1 and o.errors == 0 and o.rpcs_served == o.calls for o in outcomes)
    print(
        f"\n{exact}/{len(outcomes)} runs made exactly 1 token request, served every call once and saw no "
        f"errors; {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
