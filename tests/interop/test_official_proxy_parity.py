"""``client.actions.request`` sends what the official Python SDK's ``actions.request`` sends.

The same three proxied requests (a GET with query and a custom header, a JSON POST, a form PUT) go
through the emulator's ``/proxy`` route to a loopback HTTPS upstream, once from the official SDK (its own
process and virtualenv) and once from scalekit_py; the upstream's view of each pair must agree on
method, path, query, body, content type and the caller's headers, and both must carry the account's
credentials, never the client's token or the routing headers.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_py import ScalekitClient
from scalekit_py.emulator import Emulator
from tests.e2e._agentkit import struct
from tests.e2e._upstream import upstream
from tests.interop.test_official_sdks import CLIENTS, OFFICIAL_PY, _run

CALLS: dict[str, dict[str, Any]] = {
    "get": {"path": "/items", "query_params": {"page": "2", "q": "a b"}, "headers": {"X-Trace": "t-1"}},
    "json": {"path": "/items", "method": "POST", "body": {"name": "widget", "n": 1}},
    "form": {"path": "/forms", "method": "PUT", "form_data": {"a": "1", "b": "x y"}},
}
COMPARED_HEADERS = ("content-type", "x-trace", "authorization")


def _view(echo: dict[str, Any]) -> dict[str, Any]:
    headers = echo["headers"]
    body = echo["body"]
    if headers.get("content-type") == "application/json":
        body = json.loads(body)  # key order and spacing are not the wire contract
    return {
        "method": echo["method"],
        "path": echo["path"],
        "query": echo["query"],
        "body": body,
        "headers": {h: headers.get(h) for h in COMPARED_HEADERS},
        "leaked": sorted({"connection_name", "identifier"} & set(headers)),
    }


def test_proxied_requests_match_the_official_sdk(tmp_path: pathlib.Path) -> None:
    assert OFFICIAL_PY.exists(), "run `make setup` first (creates .interop/venv with scalekit-sdk-python)"
    with Emulator(tls_dir=str(tmp_path)) as emu, upstream(tmp_path) as api:
        ca = str(emu.ca_file)
        emu.state.upstream_ca_file = ca
        with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret, ca_file=ca) as client:
            provider = client.providers.create_custom_provider(
                "Parity Upstream",
                proxy_url=api.url.replace("127.0.0.1", "localhost"),
                proxy_enabled=True,
                auth_patterns=[{"type": "BEARER"}],
            )
            connector = provider.identifier.lower()
            details = ca_pb.AuthorizationDetails(
                static_auth=ca_pb.StaticAuth(details=struct({"token": "up-tok"}))
            )
            client.connected_accounts.create_connected_account(
                connector, "parity-user", authorization_details=details
            )
            ours = {
                name: _view(client.actions.request(connector, "parity-user", **kwargs).json()["echo"])
                for name, kwargs in CALLS.items()
            }
        env = {
            "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": ca,
            "REQUESTS_CA_BUNDLE": ca,
            "SSL_CERT_FILE": ca,
            "INTEROP_PROXY_CONNECTOR": connector,
            "INTEROP_PROXY_IDENTIFIER": "parity-user",
        }
        result = _run([str(OFFICIAL_PY), str(CLIENTS / "official_python_proxy.py")], emu, env)
    for name in CALLS:
        official = result[name]
        assert isinstance(official, dict)
        assert official["status"] == 200
        assert _view(official["echo"]) == ours[name], name
    assert ours["get"]["headers"]["authorization"] == "Bearer up-tok"  # the account's, not the client's
    assert ours["get"]["leaked"] == []
    assert ours["json"]["body"] == {"name": "widget", "n": 1}
    assert ours["form"]["headers"]["content-type"] == "application/x-www-form-urlencoded"
