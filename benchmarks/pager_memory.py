"""Memory while iterating 10,000 users with the lazy pager: flat, one page at a time.

Why: ``client.user.iter_users(page_size=100)`` must hold one page, not the whole listing (issue 4, item 3),
so iterating a large environment costs O(page) memory, not O(items).

What it does, in one run:

1. starts an emulator in a child process (so its memory is not this process's) and writes ``--users``
   (10,000) users straight into its store (see ``_support/emulator.py``);
2. in this process, with ``tracemalloc`` on from the start: builds a client, warms it up (one page fetched,
   so every module, the channel and the token exist), collects garbage and takes the baseline;
3. iterates ``client.user.iter_users(page_size=100)`` to the end, keeping nothing, sampling after every page
   the resident set size (``VmRSS``, which also sees protobuf's C arenas) and tracemalloc's current and
   peak (Python objects only); prints the samples at 1k, 2k, 5k, 10k items as growth over the baseline;
4. does the same with ``AsyncScalekitClient``;
5. for contrast, keeps every item (``list(client.user.iter_users(page_size=100))``) and reports that
   growth, which is what O(items) looks like.

``--passes N`` iterates the sync listing N times in a row (items counted across passes) to show where RSS
levels off. Run: ``python benchmarks/pager_memory.py [--users 10000] [--page-size 100] [--passes 1]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support.emulator import EmulatorInfo, EmulatorProcess

MIB = 1024 * 1024


def rss_bytes() -> int:
    """This process's resident set size now (Linux ``/proc``; peak RSS from ``getrusage`` elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


@dataclass(frozen=True)
class Sample:
    """Memory after ``items`` items, relative to the baseline taken before iterating."""

    items: int
    rss: int
    traced: int
    traced_peak: int
    rss_peak: int


@dataclass(frozen=True)
class Baseline:
    rss: int
    traced: int


def baseline() -> Baseline:
    """Collect garbage, reset tracemalloc's peak and read RSS and traced memory."""
    gc.collect()
    tracemalloc.reset_peak()
    return Baseline(rss_bytes(), tracemalloc.get_traced_memory()[0])


class Sampler:
    """Samples memory after every page and keeps the rows at the checkpoints (and the last one)."""

    def __init__(self, base: Baseline, page_size: int, checkpoints: set[int]) -> None:
        self.base, self.page_size, self.checkpoints = base, page_size, checkpoints
        self.rss_peak = 0
        self.samples: list[Sample] = []

    def sample(self, items: int, *, last: bool = False) -> None:
        if items % self.page_size and not last:
            return
        rss = rss_bytes() - self.base.rss
        self.rss_peak = max(self.rss_peak, rss)
        if items in self.checkpoints or last:
            current, peak = tracemalloc.get_traced_memory()
            self.samples.append(
                Sample(items, rss, current - self.base.traced, peak - self.base.traced, self.rss_peak)
            )


def checkpoints(total: int) -> set[int]:
    """1k, 2k, 5k, 10k, ... up to ``total``."""
    points, step = set(), 1_000
    while step <= total:
        points |= {step, 2 * step, 5 * step}
        step *= 10
    return {p for p in points if p <= total}


def stream_sync(emu: EmulatorInfo, page_size: int, passes: int) -> tuple[list[Sample], int, float]:
    """Iterate every user ``passes`` times with the sync pager, keeping nothing; samples, items, seconds.

    Items are counted across passes, so later passes show whether memory keeps growing with the items
    seen or has levelled off (the allocator warms up during the first pass).
    """
    from scalekit_py import ScalekitClient

    with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
        for _ in client.user.iter_users(page_size=page_size, limit=page_size):  # warm-up: one page
            pass
        sampler = Sampler(baseline(), page_size, checkpoints(emu.users))
        started = time.perf_counter()
        n = 0
        for _ in range(passes):
            pager: Iterator[Any] = iter(client.user.iter_users(page_size=page_size))
            for user in pager:
                n += 1
                assert user.id  # read the item, as a consumer would
                sampler.sample(n)
            sampler.sample(n, last=True)
        return sampler.samples, n, time.perf_counter() - started


def stream_async(emu: EmulatorInfo, page_size: int) -> tuple[list[Sample], int, float]:
    """The async twin of :func:`stream_sync`."""
    from scalekit_py import AsyncScalekitClient

    async def go() -> tuple[list[Sample], int, float]:
        async with AsyncScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
            async for _ in client.user.iter_users(page_size=page_size, limit=page_size):
                pass
            sampler = Sampler(baseline(), page_size, checkpoints(emu.users))
            started = time.perf_counter()
            pager: AsyncIterator[Any] = aiter(client.user.iter_users(page_size=page_size))
            n = 0
            async for user in pager:
                n += 1
                assert user.id
                sampler.sample(n)
            sampler.sample(n, last=True)
            return sampler.samples, n, time.perf_counter() - started

    return asyncio.run(go())


def keep_all(emu: EmulatorInfo, page_size: int) -> tuple[Sample, int]:
    """Contrast: ``list(...)`` of every user (O(items)); growth over a baseline taken just before."""
    from scalekit_py import ScalekitClient

    with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
        for _ in client.user.iter_users(page_size=page_size, limit=page_size):
            pass
        base = baseline()
        users = list(client.user.iter_users(page_size=page_size))
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        rss = rss_bytes() - base.rss
        sample = Sample(len(users), rss, current - base.traced, peak - base.traced, rss)
        del users
        return sample, sample.items


def table(rows: list[tuple[str, Sample]]) -> list[str]:
    """Growth over the baseline at each checkpoint, in MiB."""
    head = (
        f"{'run':<26}{'items':>8}{'RSS now':>11}{'RSS peak':>11}{'traced now':>12}{'traced peak':>13}"
        f"{'bytes/item (peak)':>19}"
    )
    lines = [head, "-" * len(head)]
    for run, s in rows:
        per_item = max(s.rss_peak, s.traced_peak) / s.items if s.items else 0.0
        lines.append(
            f"{run:<26}{s.items:>8,}{s.rss / MIB:>+9.2f}MB{s.rss_peak / MIB:>+9.2f}MB"
            f"{s.traced / MIB:>+10.2f}MB{s.traced_peak / MIB:>+11.2f}MB{per_item:>19.1f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Seed, iterate sync and async, keep-all for contrast; print the table and the growth ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000, help="users to seed (default 10000)")
    parser.add_argument("--page-size", type=int, default=100, help="page size, at most 100 (default 100)")
    parser.add_argument("--passes", type=int, default=1, help="sync passes over all users (default 1)")
    args = parser.parse_args(argv)
    if args.users < 1_000 or not 1 <= args.page_size <= 100 or args.passes < 1:
        parser.error("--users must be >= 1000, --page-size in 1..100 and --passes >= 1")

    print(f"python {platform.python_version()}, {os.cpu_count()} cpu(s)")
    tracemalloc.start()
    started = time.perf_counter()
    with EmulatorProcess(users=args.users) as emu:
        print(
            f"emulator in child process {emu.pid}: {args.users:,} users written in {emu.seed_seconds:.2f} s "
            f"(plus the 2 seeded ones); page_size={args.page_size}; growth over a baseline taken after a "
            "warm-up page\n"
        )
        sync_samples, sync_n, sync_s = stream_sync(emu, args.page_size, args.passes)
        async_samples, async_n, async_s = stream_async(emu, args.page_size)
        kept, _ = keep_all(emu, args.page_size)
    rows = [("sync iter_users", s) for s in sync_samples]
    rows += [("async iter_users", s) for s in async_samples]
    rows.append(("list(iter_users) (contrast)", kept))
    for line in table(rows):
        print(line)
    first, last = sync_samples[0], sync_samples[-1]
    print(
        f"\nsync: {sync_n:,} items ({args.passes} pass(es)) in {sync_s:.1f} s; "
        f"async: {async_n:,} items in {async_s:.1f} s. "
        f"Peak growth at {last.items:,} items vs at {first.items:,}: RSS {last.rss_peak / MIB:.2f} vs "
        f"{first.rss_peak / MIB:.2f} MB, traced {last.traced_peak / MIB:.2f} vs "
        f"{first.traced_peak / MIB:.2f} MB; "
        f"keeping every item instead: RSS {kept.rss / MIB:+.2f} MB, traced {kept.traced / MIB:+.2f} MB; "
        f"{time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
