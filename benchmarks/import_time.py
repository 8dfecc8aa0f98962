"""Import time of ``scalekit_py`` versus the official SDK and ``grpc`` alone, and what first use costs.

Why: an SDK is imported by every process that might use it (web workers, CLIs, serverless cold starts).
``import scalekit_py`` loads nothing heavy: grpc, protobuf, httpx and PyJWT are imported on first use
(issue 4, item 9: at most 0.30x the official SDK's import and 1.2x ``import grpc``).

What it does, in one run: every measurement runs in a fresh interpreter (``python -c``, from an empty
working directory, without ``PYTHONPATH``), once untimed so bytecode caches exist, then ``--repeat`` (10)
times, the variants interleaved round by round so drift hits all alike. Inside the child,
``time.perf_counter`` brackets each step, so interpreter start-up is not counted. Medians are reported.

- ``import grpc``, ``import scalekit_py``, ``from scalekit_py import ScalekitClient`` (the line users write:
  the lazy export imports the client module) and the four runtime dependencies together, in our venv;
- ``import scalekit`` (the official ``scalekit-sdk-python``) with ``.interop/venv/bin/python`` (made by
  ``make setup``; when it is missing the row says so and the run goes on);
- ``from scalekit_py import ScalekitClient`` plus constructing a client (no network I/O);
- first use of ``scalekit_py`` against an emulator in this process, step by step: import, first access of
  ``scalekit_py.ScalekitClient``, construction, the first ``client.organization`` access, the first call
  (token request, channel, RPC) and a second call.

Run: ``python benchmarks/import_time.py [--repeat 10] [--official-python PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFICIAL_PYTHON = ROOT / ".interop" / "venv" / "bin" / "python"
TARGET_VS_OFFICIAL = 0.30
TARGET_VS_GRPC = 1.2

# The child: marks (step name, perf_counter, len(sys.modules)) after each step, printed as JSON.
_PRELUDE = """\
import json, sys, time
_marks = [("start", time.perf_counter(), len(sys.modules))]
def mark(name):
    _marks.append((name, time.perf_counter(), len(sys.modules)))
"""
_EPILOGUE = "\nprint(json.dumps(_marks))\n"

FIRST_USE = """\
import os
import scalekit_py
mark("import scalekit_py")
ScalekitClient = scalekit_py.ScalekitClient
mark("scalekit_py.ScalekitClient (lazy export)")
client = ScalekitClient(
    os.environ["BENCH_ENV_URL"], os.environ["BENCH_CLIENT_ID"], os.environ["BENCH_CLIENT_SECRET"]
)
mark("ScalekitClient(...)")
service = client.organization
mark("client.organization")
service.get_organization(os.environ["BENCH_ORG_ID"])
mark("first call")
service.get_organization(os.environ["BENCH_ORG_ID"])
mark("second call")
client.close()
"""


@dataclass
class Variant:
    """One child program and its timings.

    Attributes:
        label: row label.
        python: interpreter to run it with (``None``: not available; ``note`` says why).
        body: statements run after the prelude; each ``mark(step)`` ends a step.
        env: extra environment variables.
        runs: per run, the marks the child printed.
    """

    label: str
    python: Path | None
    body: str
    env: dict[str, str] = field(default_factory=dict)
    note: str = ""
    runs: list[list[tuple[str, float, int]]] = field(default_factory=list)

    def steps(self) -> dict[str, tuple[float, int]]:
        """Median milliseconds of each step (from the previous mark) and modules loaded by it."""
        names = [m[0] for m in self.runs[0][1:]]
        out: dict[str, tuple[float, int]] = {}
        for i, name in enumerate(names, start=1):
            ms = statistics.median((run[i][1] - run[i - 1][1]) * 1e3 for run in self.runs)
            mods = int(statistics.median(run[i][2] - run[i - 1][2] for run in self.runs))
            out[name] = (ms, mods)
        return out

    def total(self) -> tuple[float, float, float]:
        """Median, min and max milliseconds from start to the last mark."""
        totals = [(run[-1][1] - run[0][1]) * 1e3 for run in self.runs]
        return statistics.median(totals), min(totals), max(totals)


def run_child(variant: Variant, cwd: str) -> list[tuple[str, float, int]]:
    """Run the variant once in a fresh interpreter and return its marks.

    Raises:
        RuntimeError: the child failed (its stderr is included).
    """
    assert variant.python is not None
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    env.update(variant.env)
    done = subprocess.run(
        [str(variant.python), "-c", _PRELUDE + variant.body + _EPILOGUE],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{variant.label} failed:\n{done.stderr.strip()[-2000:]}")
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    return [(str(n), float(t), int(m)) for n, t, m in marks]


def official_python(path: Path) -> tuple[Path | None, str]:
    """The official SDK's interpreter if it can import ``scalekit``, else ``None`` and the reason."""
    if not path.exists():
        return None, f"not measured: {path} is missing (run `make setup` or `make setup-interop`)"
    probe = subprocess.run(
        [str(path), "-c", "import importlib.metadata as m; print(m.version('scalekit-sdk-python'))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        return None, f"not measured: scalekit-sdk-python is not installed in {path}"
    return path, f"scalekit-sdk-python {probe.stdout.strip()}"


def variants(official: Path | None, official_note: str, emulator_env: dict[str, str]) -> list[Variant]:
    """Every measured program."""
    ours = Path(sys.executable)
    return [
        Variant("import grpc", ours, 'import grpc\nmark("import")'),
        Variant("import scalekit_py", ours, 'import scalekit_py\nmark("import")'),
        Variant(
            "from scalekit_py import ScalekitClient",
            ours,
            'from scalekit_py import ScalekitClient\nmark("import")',
        ),
        Variant(
            "import scalekit (official)", official, 'import scalekit\nmark("import")', note=official_note
        ),
        Variant(
            "import grpc, protobuf, jwt, httpx",
            ours,
            'import grpc, google.protobuf.message, jwt, httpx\nmark("import")',
        ),
        Variant(
            "... + ScalekitClient(...) (no I/O)",
            ours,
            "from scalekit_py import ScalekitClient\nmark('import')\n"
            "ScalekitClient('http://127.0.0.1:9', 'skc_1', 'not-a-secret')\nmark('construct')",
        ),
        Variant("first use against the emulator", ours, FIRST_USE, env=emulator_env),
    ]


def measure(all_variants: Sequence[Variant], repeat: int) -> None:
    """One untimed run per variant, then ``repeat`` interleaved rounds."""
    runnable = [v for v in all_variants if v.python is not None]
    with tempfile.TemporaryDirectory(prefix="import-bench-") as cwd:
        for v in runnable:
            run_child(v, cwd)  # bytecode caches, page cache
        for _ in range(repeat):
            for v in runnable:
                v.runs.append(run_child(v, cwd))


def tables(all_variants: Sequence[Variant]) -> list[str]:
    """The import table (with ratios) and the first-use steps."""
    by_label = {v.label: v for v in all_variants}
    official, grpc_only = by_label["import scalekit (official)"], by_label["import grpc"]
    ref_official = official.total()[0] if official.runs else None
    ref_grpc = grpc_only.total()[0]
    head = f"{'what':<42}{'median':>10}{'min':>10}{'max':>10}{'modules':>9}{'x official':>12}{'x grpc':>9}"
    lines = [head, "-" * len(head)]
    for v in all_variants[:-1]:
        if not v.runs:
            lines.append(f"{v.label:<42}  {v.note}")
            continue
        med, lo, hi = v.total()
        mods = sum(m for _, m in v.steps().values())
        vs_official = f"{med / ref_official:>11.2f}x" if ref_official else f"{'n/a':>12}"
        lines.append(
            f"{v.label:<42}{med:>8.1f}ms{lo:>8.1f}ms{hi:>8.1f}ms{mods:>9}{vs_official}{med / ref_grpc:>8.2f}x"
        )
    first = all_variants[-1]
    lines += ["", f"{'first use of scalekit_py (step by step)':<42}{'median':>10}{'modules':>9}"]
    lines.append("-" * 61)
    for step, (ms, mods) in first.steps().items():
        lines.append(f"{step:<42}{ms:>8.1f}ms{mods:>9}")
    lines.append(f"{'total':<42}{first.total()[0]:>8.1f}ms")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Measure every variant and print the tables and the verdict on the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per variant (default 10)")
    parser.add_argument(
        "--official-python", type=Path, default=OFFICIAL_PYTHON, help="interpreter with scalekit-sdk-python"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")

    from scalekit_py.emulator import Emulator

    started = time.perf_counter()
    official, note = official_python(args.official_python)
    print(f"python {platform.python_version()}, {os.cpu_count()} cpu(s); official SDK: {note}")
    with Emulator() as emu:
        assert emu.seeded is not None
        emulator_env = {
            "BENCH_ENV_URL": emu.env_url,
            "BENCH_CLIENT_ID": emu.client_id,
            "BENCH_CLIENT_SECRET": emu.client_secret,
            "BENCH_ORG_ID": emu.seeded.organization_id,
        }
        all_variants = variants(official, note, emulator_env)
        print(
            f"{args.repeat} timed runs per row in fresh interpreters (after one untimed run), interleaved; "
            "interpreter start-up excluded\n"
        )
        measure(all_variants, args.repeat)
    for line in tables(all_variants):
        print(line)
    by_label = {v.label: v for v in all_variants}
    grpc_ms = by_label["import grpc"].total()[0]
    official_v = by_label["import scalekit (official)"]
    for label in ("import scalekit_py", "from scalekit_py import ScalekitClient"):
        ours = by_label[label].total()[0]
        verdict = f"{label}: {ours / grpc_ms:.2f}x import grpc (target <= {TARGET_VS_GRPC}x)"
        if official_v.runs:
            ratio = ours / official_v.total()[0]
            verdict += f", {ratio:.2f}x import scalekit (target <= {TARGET_VS_OFFICIAL}x)"
        else:
            verdict += ", official SDK not measured"
        print(("\n" if label == "import scalekit_py" else "") + verdict)
    print(f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
