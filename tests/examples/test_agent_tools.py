"""``examples/agent_tools.py`` runs end to end against its own emulator and loopback API."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "agent_tools.py"


def test_agent_tools_example_runs() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "started the local emulator at http://127.0.0.1:" in out
    assert "/agentkit/connect/" in out  # the magic link
    assert "consent page: HTTP 200" in out
    assert "is ACTIVE" in out
    assert "tools: notes_create, notes_list" in out
    assert "tags=['from-agent']" in out  # the pre-modifier
    assert "notes_list (post-modified) -> {'titles': ['Buy milk']}" in out
    assert "ToolExecutionError NOTE_NOT_FOUND" in out
    assert (
        "proxied GET /profile -> HTTP 200 {'owner': 'user_42', 'plan': 'pro'" in out
    )  # the key was injected
    assert "no account, typed error: NotFoundError (HTTP 404)" in out
    assert "LangChain tools: ['notes_create', 'notes_list', 'notes_get', 'notes_delete']" in out
    assert out.rstrip().endswith("agent tools demo finished")
