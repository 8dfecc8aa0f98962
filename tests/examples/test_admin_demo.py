"""The README demo (`make demo`) runs end to end on a fresh local emulator."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

DEMO = pathlib.Path(__file__).resolve().parents[2] / "examples" / "admin_demo.py"


def test_admin_demo_runs_against_its_own_emulator() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")}
    proc = subprocess.run([sys.executable, str(DEMO)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "started the local emulator at http://127.0.0.1:" in out
    assert "created organization org_" in out
    assert "invoices:read:" in out  # the role's permission reached the user
    assert "bad input is a typed error: INVALID_ARGUMENT ['organization.display_name']" in out
    assert "get now raises NotFoundError, http 404" in out
    assert out.rstrip().endswith("demo finished")
