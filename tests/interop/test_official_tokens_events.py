"""The official SDKs' API-token and events clients work against the emulator.

Each SDK creates an organization and a member, creates a user-scoped API token, validates it, updates
its claims, lists it, invalidates it (after which validation fails), and lists the organization's
events; the events it sees are the emulator's event log, ids included.
"""

from __future__ import annotations

import pathlib
import shutil

from scalekit_api.v1.events import events_pb2
from scalekit_py.emulator import Emulator, event_log
from tests.interop.test_official_sdks import CLIENTS, OFFICIAL_PY, _run

EXPECTED_TYPES = [
    "organization.api_token_invalidated",
    "organization.api_token_updated",
    "organization.api_token_created",
    "organization.membership_created",
    "organization.created",
]


def _logged_ids(emu: Emulator, org_id: str) -> list[str]:
    """The organization's events in the emulator's own store, newest first."""
    with emu.state.store.transaction() as tx:
        stored = tx.all(event_log.KIND, events_pb2.Event, parent=org_id)
    return [e.id for e in reversed(stored)]


def _assert_scenario(
    result: dict[str, object], emu: Emulator, updated_claims: dict[str, str], description: str
) -> None:
    assert str(result["token_id"]).startswith("apit_")
    assert result["token_is_opaque"] is True
    assert result["validated"] == {
        "organization_id": result["org_id"],
        "user_id": result["user_id"],
        "claims": {"env": "ci"},
    }
    assert result["updated"] == {"claims": updated_claims, "description": description}
    assert result["listed"] == [result["token_id"]]
    assert result["listed_total"] == 1
    assert result["rejected_after_invalidate"] is True
    assert result["event_types"] == EXPECTED_TYPES
    assert result["event_ids"] == _logged_ids(emu, str(result["org_id"]))


def test_official_node_sdk_tokens_and_events() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required for the interop tests"
    assert (CLIENTS / "node_modules" / "@scalekit-sdk" / "node").is_dir(), "run `make setup` first"
    with Emulator() as emu:
        result = _run([node, str(CLIENTS / "official_node_tokens.js")], emu, {})
        # The Node SDK sends the claims it is given: they replace the token's claims.
        _assert_scenario(result, emu, {"team": "core"}, "node2")
        assert emu.counters.rpcs("ValidateToken", "NOT_FOUND") == 1


def test_official_python_sdk_tokens_and_events(tmp_path: pathlib.Path) -> None:
    assert OFFICIAL_PY.exists(), "run `make setup` first (creates .interop/venv with scalekit-sdk-python)"
    with Emulator(tls_dir=str(tmp_path)) as emu:
        ca = str(emu.ca_file)
        env = {"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": ca, "REQUESTS_CA_BUNDLE": ca, "SSL_CERT_FILE": ca}
        result = _run([str(OFFICIAL_PY), str(CLIENTS / "official_python_tokens.py")], emu, env)
        # The official Python SDK merges the new claims into the current ones before sending them.
        _assert_scenario(result, emu, {"env": "ci", "team": "core"}, "py2")
        assert emu.counters.rpcs("ValidateToken", "NOT_FOUND") == 1
