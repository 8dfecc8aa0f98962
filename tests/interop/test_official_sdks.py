"""Applications written against the official Scalekit SDKs work against our emulator.

Both official SDKs run as test-only clients in their own processes (`make setup` installs them:
the Node SDK under tests/interop/clients/node_modules, the Python SDK in .interop/venv). The Node SDK
speaks gRPC over h2c to an http:// env URL; the Python SDK always uses TLS, so it gets a TLS emulator
and trusts its CA through GRPC_DEFAULT_SSL_ROOTS_FILE_PATH and REQUESTS_CA_BUNDLE.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import uuid

from scalekit_api.v1.organizations import organizations_pb2
from scalekit_py.emulator import Emulator

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLIENTS = pathlib.Path(__file__).resolve().parent / "clients"
OFFICIAL_PY = ROOT / ".interop" / "venv" / "bin" / "python"


def _run(cmd: list[str], emu: Emulator, extra_env: dict[str, str]) -> dict[str, object]:
    suffix = uuid.uuid4().hex[:10]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SCALEKIT_ENV_URL": emu.env_url,
        "SCALEKIT_CLIENT_ID": emu.client_id,
        "SCALEKIT_CLIENT_SECRET": emu.client_secret,
        "INTEROP_SUFFIX": suffix,
        **extra_env,
    }
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"{cmd[0]} failed: {proc.stderr[-2000:]}"
    assert emu.client_secret not in proc.stdout + proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["suffix"] = suffix
    return result


def _assert_round_trip(result: dict[str, object], emu: Emulator, prefix: str) -> None:
    suffix = result["suffix"]
    assert str(result["org_id"]).startswith("org_")
    assert result["org_name"] == f"{prefix} Org {suffix}"
    assert result["org_listed"] is True
    assert str(result["user_id"]).startswith("usr_")
    assert result["user_email"] == f"{prefix.lower()}-{suffix}@example.com"
    assert result["user_listed"] is True
    assert result["user_deleted"] is True
    assert result["org_deleted"] is True
    # The emulator's own storage agrees: both resources are gone.
    with emu.state.store.transaction() as tx:
        assert tx.get("organization", str(result["org_id"]), organizations_pb2.Organization) is None


def test_official_node_sdk_round_trip() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required for the interop tests"
    assert (CLIENTS / "node_modules" / "@scalekit-sdk" / "node").is_dir(), "run `make setup` first"
    with Emulator() as emu:
        result = _run([node, str(CLIENTS / "official_node.js")], emu, {})
        _assert_round_trip(result, emu, "Node")
        assert emu.counters.token_requests("client_credentials", 200) >= 1
        assert emu.counters.rpcs("CreateOrganization", "OK") == 1


def test_official_python_sdk_round_trip(tmp_path: pathlib.Path) -> None:
    assert OFFICIAL_PY.exists(), "run `make setup` first (creates .interop/venv with scalekit-sdk-python)"
    with Emulator(tls_dir=str(tmp_path)) as emu:
        assert emu.env_url.startswith("https://localhost:")
        ca = str(emu.ca_file)
        env = {"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": ca, "REQUESTS_CA_BUNDLE": ca, "SSL_CERT_FILE": ca}
        result = _run([str(OFFICIAL_PY), str(CLIENTS / "official_python.py")], emu, env)
        _assert_round_trip(result, emu, "Py")


def test_interop_clients_are_not_our_process() -> None:
    # The official Python SDK registers scalekit.v1.* too; it must never be importable here.
    assert "scalekit" not in sys.modules
