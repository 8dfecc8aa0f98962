"""Per-call latency: the SDK's facade versus the raw generated stub, sync and async, on one emulator.

Why: the facade (``client.organization.get_organization``) adds a call path of its own (deadline, retry,
error mapping in ``scalekit_py/_transport/call.py``, the auth interceptor in ``interceptors.py``). The goal
is that this costs at most 10 % over calling the generated stub by hand (issue 4).

What it does, in one run:

1. starts a seeded emulator in a child process (so the client is measured without the server sharing its
   GIL) and builds a ``ScalekitClient`` and an ``AsyncScalekitClient`` on it;
2. for each flavour, times ``GetOrganization`` through five layers, warm-up first, in interleaved rounds
   (the order rotates every round, so drift hits every layer alike):

   - ``raw stub``: ``OrganizationServiceStub(grpc.insecure_channel(...)).GetOrganization(req,
     metadata=[("authorization", "Bearer ...")], timeout=20)`` (``grpc.aio`` for async);
   - ``stub + interceptor``: the generated stub on the client's own channel (auth interceptor, SDK headers,
     keepalive options), no caller;
   - ``caller.call``: ``client.caller.call(GET_ORGANIZATION, req)`` (adds deadline/retry/error mapping);
   - ``facade``: ``client.organization.get_organization(org_id)``;

3. prints median, p90 and p99 per call with ratios to the raw stub; with ``--profile`` (or when a facade is
   over 1.10x) profiles the client-side Python of both call paths with cProfile.

Run: ``python benchmarks/client_calls.py [--rounds 100] [--per-round 10] [--warmup 200] [--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import platform
import pstats
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support.emulator import EmulatorInfo, EmulatorProcess

TARGET_RATIO = 1.10

SyncCall = Callable[[], object]
AsyncCall = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Stats:
    """Per-call latencies of one layer, in microseconds."""

    calls: int
    median: float
    p90: float
    p99: float
    mean: float
    cpu: float


def summarize(samples_ns: Sequence[int], cpu_ns: int) -> Stats:
    """Median, p90, p99 (nearest rank) and mean of per-call wall times given in nanoseconds, and the
    client process's CPU time per call (all its threads, gRPC's included) from ``cpu_ns`` in total."""
    ordered = sorted(samples_ns)
    n = len(ordered)

    def rank(q: float) -> float:
        return ordered[min(n - 1, max(0, int(q * n + 0.5) - 1))] / 1e3

    return Stats(n, rank(0.5), rank(0.9), rank(0.99), sum(ordered) / n / 1e3, cpu_ns / n / 1e3)


def run_sync(layers: dict[str, SyncCall], rounds: int, per_round: int, warmup: int) -> dict[str, Stats]:
    """Warm every layer up, then time ``per_round`` calls of each per round, rotating the order."""
    names = list(layers)
    for fn in layers.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[int]] = {name: [] for name in names}
    cpu = dict.fromkeys(names, 0)
    clock, cpu_clock = time.perf_counter_ns, time.process_time_ns
    gc.collect()
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn, out = layers[name], samples[name]
            c0 = cpu_clock()
            for _ in range(per_round):
                t0 = clock()
                fn()
                out.append(clock() - t0)
            cpu[name] += cpu_clock() - c0
    return {name: summarize(samples[name], cpu[name]) for name in names}


async def run_async(
    layers: dict[str, AsyncCall], rounds: int, per_round: int, warmup: int
) -> dict[str, Stats]:
    """The asyncio twin of :func:`run_sync` (one call at a time, awaited)."""
    names = list(layers)
    for afn in layers.values():
        for _ in range(warmup):
            await afn()
    samples: dict[str, list[int]] = {name: [] for name in names}
    cpu = dict.fromkeys(names, 0)
    clock, cpu_clock = time.perf_counter_ns, time.process_time_ns
    gc.collect()
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            afn, out = layers[name], samples[name]
            c0 = cpu_clock()
            for _ in range(per_round):
                t0 = clock()
                await afn()
                out.append(clock() - t0)
            cpu[name] += cpu_clock() - c0
    return {name: summarize(samples[name], cpu[name]) for name in names}


# --------------------------------------------------------------------------------------------------
# The four layers of each flavour


def sync_layers(emu: EmulatorInfo) -> tuple[dict[str, SyncCall], Callable[[], None]]:
    """The sync call layers on one client and one bare channel, and a function that closes both."""
    import grpc

    from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
    from scalekit_py import ScalekitClient
    from scalekit_py._transport.interceptors import sdk_metadata
    from scalekit_py.services._rpcs import organizations as rpcs

    client = ScalekitClient(emu.env_url, emu.client_id, emu.client_secret)
    org_id = emu.organization_id
    client.organization.get_organization(org_id)  # token fetched, channel connected
    metadata = (("authorization", f"Bearer {client.token_source.get_token()}"),)
    sdk_headers = (*metadata, *sdk_metadata())
    request = organizations_pb2.GetOrganizationRequest(id=org_id)
    bare = grpc.insecure_channel(emu.grpc_target)
    raw = organizations_pb2_grpc.OrganizationServiceStub(bare)
    # The client's own (intercepted) channel: private, reached into here only to split the cost by layer.
    on_client_channel = organizations_pb2_grpc.OrganizationServiceStub(client._channel())
    caller, facade = client.caller, client.organization
    layers: dict[str, SyncCall] = {
        "raw stub": lambda: raw.GetOrganization(request, metadata=metadata, timeout=20),
        "raw + SDK headers": lambda: raw.GetOrganization(request, metadata=sdk_headers, timeout=20),
        "stub + interceptor": lambda: on_client_channel.GetOrganization(request, timeout=20),
        "caller.call": lambda: caller.call(rpcs.GET_ORGANIZATION, request),
        "facade": lambda: facade.get_organization(org_id),
    }

    def close() -> None:
        bare.close()
        client.close()

    return layers, close


async def async_layers(emu: EmulatorInfo) -> tuple[dict[str, AsyncCall], Callable[[], Awaitable[None]]]:
    """The asyncio call layers (``grpc.aio``), built inside the running loop."""
    import grpc.aio

    from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
    from scalekit_py import AsyncScalekitClient
    from scalekit_py._transport.interceptors import sdk_metadata
    from scalekit_py.services._rpcs import organizations as rpcs

    client = AsyncScalekitClient(emu.env_url, emu.client_id, emu.client_secret)
    org_id = emu.organization_id
    await client.organization.get_organization(org_id)
    metadata = (("authorization", f"Bearer {await client.token_source.get_token()}"),)
    sdk_headers = (*metadata, *sdk_metadata())
    request = organizations_pb2.GetOrganizationRequest(id=org_id)
    bare = grpc.aio.insecure_channel(emu.grpc_target)
    raw = organizations_pb2_grpc.OrganizationServiceStub(bare)
    on_client_channel = organizations_pb2_grpc.OrganizationServiceStub(client._channel())
    caller, facade = client.caller, client.organization
    layers: dict[str, AsyncCall] = {
        "raw stub": lambda: raw.GetOrganization(request, metadata=metadata, timeout=20),
        "raw + SDK headers": lambda: raw.GetOrganization(request, metadata=sdk_headers, timeout=20),
        "stub + interceptor": lambda: on_client_channel.GetOrganization(request, timeout=20),
        "caller.call": lambda: caller.call(rpcs.GET_ORGANIZATION, request),
        "facade": lambda: facade.get_organization(org_id),
    }

    async def close() -> None:
        await bare.close(None)
        await client.aclose()

    return layers, close


def measure(emu: EmulatorInfo, rounds: int, per_round: int, warmup: int) -> dict[str, dict[str, Stats]]:
    """Both flavours, sync first; returns ``{"sync": {layer: stats}, "async": {...}}``."""
    layers, close = sync_layers(emu)
    try:
        sync = run_sync(layers, rounds, per_round, warmup)
    finally:
        close()

    async def go() -> dict[str, Stats]:
        alayers, aclose = await async_layers(emu)
        try:
            return await run_async(alayers, rounds, per_round, warmup)
        finally:
            await aclose()

    return {"sync": sync, "async": asyncio.run(go())}


# --------------------------------------------------------------------------------------------------
# Profiling the client side


def component(filename: str) -> str:
    """The part of the stack a profiled function belongs to, from its file name."""
    path = filename.replace("\\", "/")
    for marker, label in (("/site-packages/grpc/", "grpc/"), ("/scalekit_py/", "scalekit_py/")):
        if marker in path:
            return label + path.split(marker, 1)[1]
    if "/scalekit_api/" in path:
        return "generated stubs"
    if path.endswith("client_calls.py"):
        return "benchmark loop"
    if path.startswith("~") or not path.endswith(".py"):
        return "C functions (builtins, Cython, upb)"
    parts = path.split("/")
    return "stdlib " + ("asyncio" if "asyncio" in parts else parts[-1])


ProfileRow = tuple[str, int, str]  # (file, line, function), as pstats keys them


def _own_times(prof: cProfile.Profile) -> dict[ProfileRow, tuple[int, float]]:
    raw: dict[ProfileRow, tuple[Any, ...]] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    return {key: (row[1], row[2]) for key, row in raw.items()}  # primitive calls, own time


def compare_profiles(base: cProfile.Profile, other: cProfile.Profile, calls: int, top: int) -> list[str]:
    """Own CPU time per call by component for two profiles, and ``other``'s costliest functions that
    ``base`` never ran (or ran less often)."""
    a, b = _own_times(base), _own_times(other)
    by_part: dict[str, list[float]] = {}
    for index, times in enumerate((a, b)):
        for key, (_, own) in times.items():
            by_part.setdefault(component(key[0]), [0.0, 0.0])[index] += own / calls * 1e6
    total_a, total_b = (sum(v[i] for v in by_part.values()) for i in (0, 1))
    lines = [f"  {'component':<44}{'raw':>9}{'facade':>9}{'extra':>9}  (us of thread CPU per call)"]
    for part, (x, y) in sorted(by_part.items(), key=lambda kv: kv[1][0] - kv[1][1]):
        if max(x, y) >= 0.5:
            lines.append(f"  {part:<44}{x:>9.1f}{y:>9.1f}{y - x:>+9.1f}")
    lines.append(f"  {'total':<44}{total_a:>9.1f}{total_b:>9.1f}{total_b - total_a:>+9.1f}")
    extra = [
        (own - a.get(key, (0, 0.0))[1], n - a.get(key, (0, 0.0))[0], key)
        for key, (n, own) in b.items()
        if n > a.get(key, (0, 0.0))[0]
    ]
    extra.sort(reverse=True)
    lines.append(f"  facade-only calls, top {top} by own time (calls per RPC, us per RPC):")
    for own, n, (file, line, func) in extra[:top]:
        where = f"{component(file)}:{line}({func})" if line else func
        lines.append(f"    {n / calls:>4.0f} x {own / calls * 1e6:>6.1f}  {where}")
    return lines


def _profiled(fn: SyncCall, calls: int) -> cProfile.Profile:
    prof = cProfile.Profile(time.thread_time)
    prof.enable()
    try:
        for _ in range(calls):
            fn()
    finally:
        prof.disable()
    return prof


def profile(emu: EmulatorInfo, calls: int, top: int = 12) -> list[str]:
    """cProfile of ``calls`` raw-stub calls and ``calls`` facade calls, per flavour (client side only).

    The profiler's clock is the calling thread's CPU time, so waiting for the server costs nothing and
    what is left is the work each call path does in the caller's thread (gRPC's C-core threads are not
    included; cProfile's own cost per Python function call inflates the deeper path somewhat).
    """
    lines: list[str] = []
    layers, close = sync_layers(emu)
    try:
        raw, facade = layers["raw stub"], layers["facade"]
        p_raw = _profiled(raw, calls)
        p_facade = _profiled(facade, calls)
        lines += ["sync:", *compare_profiles(p_raw, p_facade, calls, top)]
    finally:
        close()

    async def go() -> None:
        alayers, aclose = await async_layers(emu)
        loop = asyncio.get_running_loop()
        try:
            profiles = []
            for name in ("raw stub", "facade"):
                afn = alayers[name]

                async def many(afn: AsyncCall = afn) -> None:
                    for _ in range(calls):
                        await afn()

                # run_until_complete is not reentrant: time the loop's work from inside a task instead
                prof = cProfile.Profile(time.thread_time)
                prof.enable()
                try:
                    await loop.create_task(many())
                finally:
                    prof.disable()
                profiles.append(prof)
            lines.extend(["async:", *compare_profiles(profiles[0], profiles[1], calls, top)])
        finally:
            await aclose()

    asyncio.run(go())
    return lines


# --------------------------------------------------------------------------------------------------
# Output


def table(results: dict[str, dict[str, Stats]]) -> list[str]:
    """One row per flavour and layer: latencies, ratio to that flavour's raw stub, added microseconds."""
    head = (
        f"{'flavour':<7} {'layer':<20}{'calls':>7}{'median':>10}{'p90':>10}{'p99':>10}{'mean':>10}"
        f"{'x raw (med)':>13}{'x raw (p90)':>13}{'+us (med)':>11}{'cpu/call':>10}{'x raw':>8}"
    )
    lines = [head, "-" * len(head)]
    for flavour, layers in results.items():
        base = layers["raw stub"]
        for name, s in layers.items():
            lines.append(
                f"{flavour:<7} {name:<20}{s.calls:>7}{s.median:>8.0f}us{s.p90:>8.0f}us{s.p99:>8.0f}us"
                f"{s.mean:>8.0f}us{s.median / base.median:>12.3f}x{s.p90 / base.p90:>12.3f}x"
                f"{s.median - base.median:>+11.0f}{s.cpu:>8.0f}us{s.cpu / base.cpu:>7.2f}x"
            )
    return lines


def environment() -> str:
    """Versions and machine, for the record."""
    from importlib.metadata import version

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"python {platform.python_version()}, grpcio {version('grpcio')}, protobuf {version('protobuf')}, "
        f"{os.cpu_count()} cpu(s), load average {load:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    """Start the emulator, measure both flavours, print the table (and a profile when asked or needed)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help="interleaved rounds (default 100)")
    parser.add_argument("--per-round", type=int, default=10, help="calls per layer per round (default 10)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed calls per layer first (default 200)")
    parser.add_argument("--profile", action="store_true", help="also profile the raw and facade call paths")
    parser.add_argument("--profile-calls", type=int, default=2_000, help="calls per profiled path")
    args = parser.parse_args(argv)
    if min(args.rounds, args.per_round, args.profile_calls) < 1 or args.warmup < 0:
        parser.error("counts must be >= 1 (warmup >= 0)")

    print(environment())
    started = time.perf_counter()
    with EmulatorProcess() as emu:
        print(f"emulator in child process {emu.pid} at {emu.env_url}; GetOrganization({emu.organization_id})")
        print(
            f"{args.rounds} interleaved rounds x {args.per_round} calls per layer (after {args.warmup} "
            "warm-up calls each), one call at a time\n"
        )
        results = measure(emu, args.rounds, args.per_round, args.warmup)
        for line in table(results):
            print(line)
        over = {f: layers["facade"].median / layers["raw stub"].median for f, layers in results.items()}
        verdict = ", ".join(
            f"{f} facade {ratio:.3f}x raw ({'within' if ratio <= TARGET_RATIO else 'OVER'} {TARGET_RATIO}x)"
            for f, ratio in over.items()
        )
        print(f"\n{verdict}; {time.perf_counter() - started:.1f} s")
        if args.profile or max(over.values()) > TARGET_RATIO:
            print(f"\nclient-side profile, {args.profile_calls} calls per path (thread CPU time, cProfile):")
            for line in profile(emu, args.profile_calls):
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
