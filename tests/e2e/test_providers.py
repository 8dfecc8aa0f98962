"""``client.providers`` against the emulator, in both flavours, and the AgentKit proxy (``/proxy/...``)
forwarding to a custom provider's loopback upstream with each kind of stored credential."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.providers import providers_pb2 as pb
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import BadRequestError, ConflictError, NotFoundError, PreconditionFailedError
from tests.e2e._agentkit import connect, struct
from tests.e2e._support import api_error, unique
from tests.e2e._upstream import Upstream, closed_port, upstream


@pytest.fixture(scope="module")
def api(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    ca_dir = tmp_path_factory.mktemp("upstream-ca")
    with upstream(ca_dir) as up:
        emulator.state.upstream_ca_file = str(ca_dir / "ca.pem")
        yield up


def custom(client: ScalekitClient, url: str, pattern: dict[str, Any], enabled: bool = True) -> pb.Provider:
    name = unique("api").replace("_", " ")
    return client.providers.create_custom_provider(
        name, proxy_url=url, proxy_enabled=enabled, auth_patterns=[pattern]
    )


def static(details: dict[str, Any]) -> ca_pb.AuthorizationDetails:
    return ca_pb.AuthorizationDetails(static_auth=ca_pb.StaticAuth(details=struct(details)))


def proxied(
    emulator: Emulator, connector: str, identifier: str, path: str, method: str = "GET", **kwargs: Any
) -> httpx.Response:
    """A request to the proxy, as the official SDKs send it (admin bearer token, connection headers)."""
    headers = {
        "authorization": f"Bearer {emulator.access_token()}",
        "connection_name": connector,
        "identifier": identifier,
        **kwargs.pop("headers", {}),
    }
    return httpx.request(method, f"{emulator.env_url}/proxy{path}", headers=headers, timeout=15, **kwargs)


def test_catalogue_listing_and_pagers(client: ScalekitClient) -> None:
    listed = client.providers.list_providers()
    assert isinstance(listed, pb.ListProvidersResponse)
    assert [p.identifier for p in listed.providers][:2] == ["NOTES", "TOOLBOX"]
    builtin = client.providers.list_providers(provider_type=pb.DEFAULT)
    assert all(not p.is_custom for p in builtin.providers)
    made = custom(client, "https://example.test/api", {"type": "BEARER", "display_name": "Token"})
    customs = [p.identifier for p in client.providers.iter_providers(provider_type=pb.CUSTOM, page_size=1)]
    assert made.identifier in customs
    assert "NOTES" not in customs
    only = client.providers.list_providers(identifier="notes")
    assert [p.identifier for p in only.providers] == ["NOTES"]
    assert (
        len(list(client.providers.iter_providers(provider_type=pb.ALL, page_size=2))) == listed.total_size + 1
    )


def test_platform_providers(client: ScalekitClient) -> None:
    ident = unique("PLAT").upper()
    made = client.providers.create_provider(
        ident, display_name="Plat", description="d", categories=["x"], auth_patterns=[{"type": "OAUTH"}]
    )
    assert (made.identifier, made.is_custom, list(made.categories)) == (ident, False, ["x"])
    api_error(
        ConflictError,
        lambda: client.providers.create_provider(
            ident, display_name="Again", auth_patterns=[{"type": "OAUTH"}]
        ),
        grpc_code="ALREADY_EXISTS",
    )
    changed = client.providers.update_provider(
        ident, display_name="Plat", description="new", coming_soon=True, auth_patterns=[{"type": "OAUTH"}]
    )
    assert (changed.description, changed.coming_soon, changed.display_name) == ("new", True, "Plat")
    api_error(
        PreconditionFailedError,
        lambda: client.providers.update_provider(
            "NOTES", display_name="No", auth_patterns=[{"type": "OAUTH"}]
        ),
        grpc_code="FAILED_PRECONDITION",
    )
    assert isinstance(client.providers.delete_provider(ident), pb.DeleteProviderResponse)
    api_error(NotFoundError, lambda: client.providers.delete_provider(ident), grpc_code="NOT_FOUND")


def test_custom_provider_lifecycle_and_errors(client: ScalekitClient) -> None:
    made = custom(client, "https://one.example.test", {"type": "API_KEY", "display_name": "Key"})
    assert made.is_custom
    assert made.proxy_enabled
    assert made.id.startswith("prv_")
    changed = client.providers.update_custom_provider(
        made.identifier,
        display_name="Renamed API",
        proxy_url="https://two.example.test",
        auth_patterns=[{"type": "BEARER", "display_name": "Token"}],
        metadata={"team": "core"},
    )
    assert (changed.display_name, changed.proxy_url, dict(changed.metadata)) == (
        "Renamed API",
        "https://two.example.test",
        {"team": "core"},
    )
    bad = api_error(
        BadRequestError,
        lambda: custom(client, "http://plain.example.test", {"type": "MAGIC"}),
        grpc_code="INVALID_ARGUMENT",
    )
    assert {v.field for v in bad.field_violations} >= {"provider.proxy_url"}
    who = unique("user")
    client.connected_accounts.create_connected_account(made.identifier.lower(), who)
    api_error(
        PreconditionFailedError,
        lambda: client.providers.delete_custom_provider(made.identifier),
        grpc_code="FAILED_PRECONDITION",
        error_code="PROVIDER_IN_USE",
    )
    client.connected_accounts.delete_connected_account(made.identifier.lower(), who)
    assert isinstance(client.providers.delete_custom_provider(made.identifier), pb.DeleteProviderResponse)
    api_error(
        NotFoundError,
        lambda: client.providers.update_custom_provider(made.identifier, display_name="x", auth_patterns=[]),
        grpc_code="NOT_FOUND",
    )


@pytest.mark.parametrize(
    ("pattern", "details", "expected"),
    [
        ({"type": "BEARER", "display_name": "T"}, {"token": "tok-1"}, ("authorization", "Bearer tok-1")),
        (
            {"type": "API_KEY", "display_name": "K", "auth_header_key_override": "X-Api-Key"},
            {"api_key": "key-1"},
            ("x-api-key", "key-1"),
        ),
        (
            {"type": "BASIC", "display_name": "B"},
            {"username": "ann", "password": "pw"},
            ("authorization", "Basic " + base64.b64encode(b"ann:pw").decode()),
        ),
    ],
)
def test_proxy_injects_stored_credentials(
    client: ScalekitClient,
    emulator: Emulator,
    api: Upstream,
    pattern: dict[str, Any],
    details: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    provider = custom(client, api.url, pattern)
    connector, who = provider.identifier.lower(), unique("user")
    client.connected_accounts.create_connected_account(connector, who, authorization_details=static(details))
    answer = proxied(
        emulator,
        connector,
        who,
        "/v1/items",
        "POST",
        params={"q": "x y"},
        json={"name": "n"},
        headers={"x-trace": "t1", "authorization-extra": "keep"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-upstream"] == "yes"
    seen = answer.json()["echo"]
    assert (seen["method"], seen["path"], seen["query"]) == ("POST", "/api/v1/items", "q=x+y")
    assert seen["body"] == '{"name":"n"}'
    name, value = expected
    assert seen["headers"][name] == value
    assert seen["headers"]["x-trace"] == "t1"
    assert "connection_name" not in seen["headers"]
    assert "identifier" not in seen["headers"]
    if name != "authorization":
        assert "authorization" not in seen["headers"], "the admin token never reaches the upstream"


def test_proxy_with_oauth_consent_and_refresh(
    client: ScalekitClient, emulator: Emulator, api: Upstream
) -> None:
    provider = custom(client, api.url, {"type": "OAUTH", "display_name": "O"})
    connector, who = provider.identifier.lower(), unique("user")
    pending = client.connected_accounts.create_connected_account(connector, who)
    assert proxied(emulator, connector, who, "/me").status_code == 412
    account = connect(client, connector, who)
    token = client.connected_accounts.get_connected_account_by_identifier(connected_account_id=account.id)
    first = proxied(emulator, connector, who, "/me").json()["echo"]["headers"]["authorization"]
    assert first == f"Bearer {token.authorization_details.oauth_token.access_token}"
    from scalekit_py.emulator.agentkit.accounts import expire_token

    expire_token(emulator.state, pending.id)
    second = proxied(emulator, connector, who, "/me").json()["echo"]["headers"]["authorization"]
    assert second != first
    assert second.startswith("Bearer ak_at_")


def test_proxy_failures_are_typed(client: ScalekitClient, emulator: Emulator, api: Upstream) -> None:
    provider = custom(client, api.url, {"type": "BEARER", "display_name": "T"})
    connector, who = provider.identifier.lower(), unique("user")
    client.connected_accounts.create_connected_account(
        connector, who, authorization_details=static({"token": "t"})
    )

    no_token = httpx.get(
        f"{emulator.env_url}/proxy/x", headers={"connection_name": connector, "identifier": who}
    )
    assert (no_token.status_code, no_token.json()["error"]) == (401, "invalid_token")
    forged = proxied(emulator, connector, who, "/x", headers={"authorization": "Bearer forged"})
    assert forged.status_code == 401
    missing = httpx.get(
        f"{emulator.env_url}/proxy/x", headers={"authorization": f"Bearer {emulator.access_token()}"}
    )
    assert missing.status_code == 400
    assert proxied(emulator, connector, "nobody", "/x").status_code == 404
    assert proxied(emulator, connector, who, "/status/503").status_code == 503, (
        "upstream answers pass through"
    )

    malformed = proxied(emulator, connector, who, "/garbage")
    assert (malformed.status_code, malformed.json()["error"]) == (502, "upstream_unreachable")
    emulator.state.upstream_timeout = 0.5
    try:
        slow = proxied(emulator, connector, who, "/slow")
    finally:
        emulator.state.upstream_timeout = 10.0
    assert (slow.status_code, slow.json()["error"]) == (504, "upstream_timeout")

    down = custom(client, f"https://127.0.0.1:{closed_port()}", {"type": "BEARER", "display_name": "T"})
    client.connected_accounts.create_connected_account(
        down.identifier.lower(), who, authorization_details=static({"token": "t"})
    )
    unreachable = proxied(emulator, down.identifier.lower(), who, "/x")
    assert (unreachable.status_code, unreachable.json()["error"]) == (502, "upstream_unreachable")

    off = custom(client, api.url, {"type": "BEARER", "display_name": "T"}, enabled=False)
    client.connected_accounts.create_connected_account(
        off.identifier.lower(), who, authorization_details=static({"token": "t"})
    )
    assert proxied(emulator, off.identifier.lower(), who, "/x").status_code == 400
    assert httpx.get(f"{emulator.env_url}/_emulator/health", timeout=5).status_code == 200, "still serving"
