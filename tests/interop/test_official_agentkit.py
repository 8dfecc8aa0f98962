"""The official SDKs' AgentKit clients work against the emulator: connected account, consent, tools, proxy.

Same harness as test_official_sdks.py (each SDK in its own process). The Python SDK also sends a proxied
request through ``actions.request`` to a loopback HTTPS upstream, which checks the URL shape and the
headers it uses (``connection_name``, ``identifier``) against the emulator's ``/proxy`` route.
"""

from __future__ import annotations

import pathlib
import shutil

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_py import ScalekitClient
from scalekit_py.emulator import Emulator
from tests.e2e._agentkit import struct
from tests.e2e._upstream import upstream
from tests.interop.test_official_sdks import CLIENTS, OFFICIAL_PY, _run

ACTIVE = ca_pb.ACTIVE
PENDING = ca_pb.PENDING_AUTH


def test_official_node_sdk_agentkit() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required for the interop tests"
    with Emulator() as emu:
        result = _run([node, str(CLIENTS / "official_node_agentkit.js")], emu, {})
        assert str(result["account_id"]).startswith("ca_")
        assert (result["status_before"], result["consent_status"], result["status_after"]) == (
            PENDING,
            200,
            ACTIVE,
        )
        assert result["tools"] == ["calculator_evaluate", "echo", "toolbox_whoami"]
        assert result["result"] == 42
        assert str(result["execution_id"]).startswith("exec_")
        assert result["bad_input_refused"] is True
        assert emu.counters.rpcs("ExecuteTool", "OK") == 1
        assert emu.counters.rpcs("ExecuteTool", "INVALID_ARGUMENT") == 1


def test_official_python_sdk_agentkit(tmp_path: pathlib.Path) -> None:
    assert OFFICIAL_PY.exists(), "run `make setup` first (creates .interop/venv with scalekit-sdk-python)"
    with Emulator(tls_dir=str(tmp_path)) as emu, upstream(tmp_path) as api:
        ca = str(emu.ca_file)
        emu.state.upstream_ca_file = ca
        api_url = api.url.replace("127.0.0.1", "localhost")
        with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret, ca_file=ca) as client:
            provider = client.providers.create_custom_provider(
                "Interop Upstream", proxy_url=api_url, proxy_enabled=True, auth_patterns=[{"type": "BEARER"}]
            )
            details = ca_pb.AuthorizationDetails(
                static_auth=ca_pb.StaticAuth(details=struct({"token": "up-tok"}))
            )
            client.connected_accounts.create_connected_account(
                provider.identifier.lower(), "proxy-user", authorization_details=details
            )
        env = {
            "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": ca,
            "REQUESTS_CA_BUNDLE": ca,
            "SSL_CERT_FILE": ca,
            "INTEROP_PROXY_CONNECTOR": provider.identifier.lower(),
            "INTEROP_PROXY_IDENTIFIER": "proxy-user",
        }
        result = _run([str(OFFICIAL_PY), str(CLIENTS / "official_python_agentkit.py")], emu, env)
    assert str(result["account_id"]).startswith("ca_")
    assert (result["status_before"], result["consent_status"], result["status_after"]) == (
        PENDING,
        200,
        ACTIVE,
    )
    assert result["has_token"] is True
    assert result["tools"] == ["notes_create", "notes_list", "notes_get", "notes_delete"]
    assert result["note_title"] == "from the official SDK"
    assert result["note_count"] == 1
    assert result["proxy_status"] == 200
    echo = result["proxy_echo"]
    assert isinstance(echo, dict)
    assert (echo["method"], echo["path"], echo["query"]) == ("POST", "/api/items", "page=2")
    assert echo["headers"]["authorization"] == "Bearer up-tok"
    assert echo["body"] == '{"name": "widget"}'
