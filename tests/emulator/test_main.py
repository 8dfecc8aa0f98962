"""``python -m scalekit_py.emulator``: prints how to connect, serves, stops on SIGTERM / SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scalekit_py.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None
    values: dict[str, str] = {}
    for line in proc.stdout:
        if "=" in line and line.strip().startswith("SCALEKIT_"):
            key, _, value = line.strip().partition("=")
            values[key] = value
        if line.startswith("Press Ctrl+C"):
            break
    else:
        raise AssertionError(
            f"emulator exited early: {proc.wait()} {proc.stderr.read() if proc.stderr else ''}"
        )
    return proc, values


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_and_stops_on_signal(sig: signal.Signals, tmp_path: Path) -> None:
    proc, values = _start(
        "--client-id", "skc_cli", "--client-secret", "cli-secret-value", "--db", str(tmp_path / "db")
    )
    try:
        assert values["SCALEKIT_CLIENT_ID"] == "skc_cli"
        assert values["SCALEKIT_CLIENT_SECRET"] == "cli-secret-value"
        url = values["SCALEKIT_ENV_URL"]
        assert url.startswith("http://127.0.0.1:")
        token = httpx.post(
            f"{url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("skc_cli", "cli-secret-value"),
        )
        assert token.status_code == 200
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert "cli-secret-value" not in out + err  # the rest of the output never repeats the secret


def test_cli_generates_credentials_and_prints_the_secret_once() -> None:
    proc, values = _start("--no-seed")
    try:
        secret = values["SCALEKIT_CLIENT_SECRET"]
        assert len(secret) > 20
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert secret not in out + err


@pytest.mark.parametrize("source", ["env", "file"])
def test_cli_reads_the_client_secret_from_env_or_file(source: str, tmp_path: Path) -> None:
    secret = "secret-not-on-argv"
    if source == "env":
        os.environ["SCALEKIT_EMULATOR_CLIENT_SECRET"] = secret
        args: tuple[str, ...] = ("--client-id", "skc_cli", "--no-seed")
    else:
        path = tmp_path / "secret"
        path.write_text(secret + "\n")
        args = ("--client-id", "skc_cli", "--no-seed", "--client-secret-file", str(path))
    try:
        proc, values = _start(*args)
    finally:
        os.environ.pop("SCALEKIT_EMULATOR_CLIENT_SECRET", None)
    try:
        url = values["SCALEKIT_ENV_URL"]
        assert "SCALEKIT_CLIENT_SECRET" not in values  # not echoed when it did not come from argv
        token = httpx.post(
            f"{url}/oauth/token", data={"grant_type": "client_credentials"}, auth=("skc_cli", secret)
        )
        assert token.status_code == 200
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert secret not in out + err


def test_cli_admin_token(tmp_path: Path) -> None:
    proc, values = _start("--no-seed", "--admin-token", "cli-admin-token")
    try:
        info = f"{values['SCALEKIT_ENV_URL']}/_emulator/info"
        assert httpx.get(info).status_code == 403
        assert httpx.get(info, headers={"authorization": "Bearer cli-admin-token"}).status_code == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
