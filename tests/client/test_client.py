"""ScalekitClient / AsyncScalekitClient: configuration, laziness, services, copies, closing, secrets."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
import types
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest

from scalekit_py import errors
from scalekit_py._client import AsyncScalekitClient, ScalekitClient
from tests.transport._servers import (
    CLIENT_ID,
    FAST_RETRY,
    GET_ORG,
    SECRET,
    GrpcServer,
    TokenEndpoint,
    create_req,
    fail_with_error_info,
    free_port,
    get_req,
    start_grpc_server,
    start_token_endpoint,
)
from tests.transport._servers import CREATE_ORG as CREATE

SERVICES = {
    "organization": ("organizations", "OrganizationService"),
    "connection": ("connections", "ConnectionService"),
    "domain": ("domains", "DomainService"),
    "directory": ("directories", "DirectoryService"),
    "user": ("users", "UserService"),
    "session": ("sessions", "SessionService"),
    "role": ("roles", "RoleService"),
    "permission": ("permissions", "PermissionService"),
    "passwordless": ("passwordless", "PasswordlessService"),
    "webauthn": ("webauthn", "WebAuthnService"),
    "auth": ("auth", "AuthService"),
    "tokens": ("tokens", "TokenService"),
    "events": ("events", "EventService"),
}


@pytest.fixture
def grpc_server() -> Iterator[GrpcServer]:
    server = start_grpc_server()
    try:
        yield server
    finally:
        server.server.stop(None)


@pytest.fixture
def token_endpoint() -> Iterator[TokenEndpoint]:
    yield from start_token_endpoint()


@pytest.fixture
def client(grpc_server: GrpcServer, token_endpoint: TokenEndpoint) -> Iterator[ScalekitClient]:
    with ScalekitClient(
        grpc_server.env_url, CLIENT_ID, SECRET, token_url=token_endpoint.url, retry=FAST_RETRY
    ) as c:
        yield c


@pytest.fixture
async def aclient(
    grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> AsyncIterator[AsyncScalekitClient]:
    async with AsyncScalekitClient(
        grpc_server.env_url, CLIENT_ID, SECRET, token_url=token_endpoint.url, retry=FAST_RETRY
    ) as c:
        yield c


# --- configuration ------------------------------------------------------------------------------------------


def test_credentials_fall_back_to_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCALEKIT_ENV_URL", "https://acme.scalekit.dev/")
    monkeypatch.setenv("SCALEKIT_CLIENT_ID", "skc_env")
    monkeypatch.setenv("SCALEKIT_CLIENT_SECRET", "env-secret")
    client = ScalekitClient()
    assert (client.env_url, client.client_id) == ("https://acme.scalekit.dev", "skc_env")
    explicit = AsyncScalekitClient("https://other.scalekit.dev", "skc_explicit")
    assert (explicit.env_url, explicit.client_id) == ("https://other.scalekit.dev", "skc_explicit")


def test_missing_credentials_name_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SCALEKIT_ENV_URL", "SCALEKIT_CLIENT_ID", "SCALEKIT_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(errors.ConfigurationError, match=r"SCALEKIT_CLIENT_ID.*SCALEKIT_CLIENT_SECRET"):
        ScalekitClient("https://acme.scalekit.dev")


@pytest.mark.parametrize(
    "kw",
    [
        {"env_url": "http://acme.scalekit.dev"},  # plaintext to a remote host
        {"token_url": "http://auth.example.com/oauth/token"},
        {"timeout": 0},
        {"retry": 3},
        {"keepalive_time_ms": 1_000},
        {"token_refresh_margin": -1},
        {"root_certificates": b"x", "ca_file": "/tmp/ca.pem"},
        {"ca_file": "/nonexistent/ca.pem"},
        {"root_certificates": b"not a certificate"},
    ],
)
def test_invalid_options_are_configuration_errors(kw: dict[str, Any]) -> None:
    args: dict[str, Any] = {"env_url": "https://acme.scalekit.dev", "client_id": "c", "client_secret": "s"}
    with pytest.raises(errors.ConfigurationError):
        ScalekitClient(**{**args, **kw})


def test_allow_insecure_permits_plaintext_to_a_remote_host() -> None:
    client = ScalekitClient("http://emulator.internal:8080", "c", "s", allow_insecure=True)
    assert client.env_url == "http://emulator.internal:8080"


def test_import_is_cheap() -> None:
    code = (
        "import sys, scalekit_py._client\n"
        "heavy = [m for m in ('grpc', 'httpx', 'google.protobuf', 'scalekit_api') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# --- laziness -----------------------------------------------------------------------------------------------


def test_constructor_and_attributes_do_no_network_io(
    grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    client = ScalekitClient(grpc_server.env_url, CLIENT_ID, SECRET, token_url=token_endpoint.url)
    assert client.caller is client.caller
    assert client.token_source.client_id == CLIENT_ID
    assert token_endpoint.count == 0
    assert grpc_server.service.count() == 0
    client.caller.call(GET_ORG, get_req())
    assert token_endpoint.count == 1
    client.close()


def test_unreachable_hosts_do_not_fail_construction() -> None:
    port = free_port()
    client = ScalekitClient(f"http://127.0.0.1:{port}", CLIENT_ID, SECRET)
    assert client.caller is not None
    client.close()


def test_async_client_built_outside_a_loop_works_inside_one(
    grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    client = AsyncScalekitClient(grpc_server.env_url, CLIENT_ID, SECRET, token_url=token_endpoint.url)

    async def use() -> str:
        async with client:
            return (await client.caller.call(GET_ORG, get_req("org_loop"))).organization.id

    assert asyncio.run(use()) == "org_loop"


# --- services -----------------------------------------------------------------------------------------------


def _fake_facades(monkeypatch: pytest.MonkeyPatch, flavour: str) -> None:
    for module, cls in SERVICES.values():
        name = cls if flavour == "_sync" else f"Async{cls}"
        mod = types.ModuleType(f"scalekit_py.services.{flavour}.{module}")
        facade = type(name, (), {"__init__": lambda self, caller: setattr(self, "caller", caller)})
        setattr(mod, name, facade)
        monkeypatch.setitem(sys.modules, mod.__name__, mod)


def test_service_attributes_are_lazy_cached_facades_over_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_facades(monkeypatch, "_sync")
    client = ScalekitClient("https://acme.scalekit.dev", "c", "s")
    for attr, (_, cls) in SERVICES.items():
        service = getattr(client, attr)
        assert type(service).__name__ == cls
        assert vars(service)["caller"] is client.caller
        assert getattr(client, attr) is service
    copy = client.with_options(timeout=1.0)
    assert copy.organization is not client.organization
    assert vars(copy.organization)["caller"].default_timeout == 1.0


def test_async_service_attributes_are_lazy_cached_facades(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_facades(monkeypatch, "_async")
    client = AsyncScalekitClient("https://acme.scalekit.dev", "c", "s")
    for attr, (_, cls) in SERVICES.items():
        service = getattr(client, attr)
        assert type(service).__name__ == f"Async{cls}"
        assert vars(service)["caller"] is client.caller
        assert getattr(client, attr) is service


# --- one token for many callers -----------------------------------------------------------------------------


async def test_1000_concurrent_cold_async_calls_make_one_token_request(
    aclient: AsyncScalekitClient, token_endpoint: TokenEndpoint, grpc_server: GrpcServer
) -> None:
    token_endpoint.delay = 0.05
    results = await asyncio.gather(*(aclient.caller.call(GET_ORG, get_req(f"o{i}")) for i in range(1000)))
    assert [r.organization.id for r in results] == [f"o{i}" for i in range(1000)]
    assert token_endpoint.count == 1
    assert grpc_server.service.count() == 1000


def test_64_cold_threads_make_one_token_request(
    client: ScalekitClient, token_endpoint: TokenEndpoint, grpc_server: GrpcServer
) -> None:
    token_endpoint.delay = 0.2
    barrier = threading.Barrier(64)

    def work(i: int) -> str:
        barrier.wait()
        return client.caller.call(GET_ORG, get_req(f"o{i}")).organization.id

    with ThreadPoolExecutor(64) as pool:
        assert list(pool.map(work, range(64))) == [f"o{i}" for i in range(64)]
    assert token_endpoint.count == 1
    assert all(
        s.values("authorization") == [f"Bearer {token_endpoint.issued[0]}"] for s in grpc_server.service.seen
    )


# --- copies and closing -------------------------------------------------------------------------------------


def test_with_options_copy_shares_the_connection_only_for_per_call_changes(
    client: ScalekitClient, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    fast = client.with_options(timeout=1.0, retry=None)
    assert (fast.timeout, fast.retry) == (1.0, None)
    assert (client.timeout, client.retry) == (20.0, FAST_RETRY)  # the original is unchanged
    assert fast.token_source is client.token_source
    fast.caller.call(GET_ORG, get_req())
    client.caller.call(GET_ORG, get_req())
    assert token_endpoint.count == 1  # one token for both
    copy_deadline, original_deadline = (s.time_remaining for s in grpc_server.service.seen)
    assert copy_deadline is not None
    assert copy_deadline <= 1.1
    assert original_deadline is not None
    assert original_deadline > 10
    fast.close()  # a borrowing copy leaves the shared channel open
    client.caller.call(GET_ORG, get_req())
    with pytest.raises(errors.ScalekitError, match="closed"):
        fast.caller.call(GET_ORG, get_req())
    other = client.with_options(client_secret="another-secret")
    assert other.token_source is not client.token_source
    other.close()
    client.caller.call(GET_ORG, get_req())  # closing an owning copy leaves the original alone


def test_with_options_rejects_unknown_and_invalid_arguments(client: ScalekitClient) -> None:
    with pytest.raises(TypeError, match="bogus"):
        client.with_options(bogus=1)  # type: ignore[call-arg]
    with pytest.raises(errors.ConfigurationError):
        client.with_options(timeout=-1)


def test_closing_the_original_closes_shared_copies(
    grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    client = ScalekitClient(grpc_server.env_url, CLIENT_ID, SECRET, token_url=token_endpoint.url)
    copy = client.with_options(timeout=5.0)
    copy.caller.call(GET_ORG, get_req())
    client.close()
    for c in (client, copy):
        with pytest.raises(errors.ScalekitError, match="closed"):
            c.caller.call(GET_ORG, get_req())


async def test_async_close_and_copies(grpc_server: GrpcServer, token_endpoint: TokenEndpoint) -> None:
    client = AsyncScalekitClient(grpc_server.env_url, CLIENT_ID, SECRET, token_url=token_endpoint.url)
    copy = client.with_options(timeout=5.0)
    await copy.caller.call(GET_ORG, get_req())
    await copy.aclose()
    await client.caller.call(GET_ORG, get_req())
    assert token_endpoint.count == 1
    await client.aclose()
    with pytest.raises(errors.ScalekitError, match="closed"):
        await client.caller.call(GET_ORG, get_req())


# --- secrets ------------------------------------------------------------------------------------------------


def _texts(exc: BaseException) -> str:
    parts = [str(exc), repr(exc)]
    if exc.__cause__ is not None:
        parts += [str(exc.__cause__), repr(exc.__cause__)]
    return " ".join(parts)


def test_secret_and_tokens_never_in_repr_errors_or_logs(
    client: ScalekitClient,
    grpc_server: GrpcServer,
    token_endpoint: TokenEndpoint,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    token_endpoint.failures.append((503, {}))  # a retried token request
    grpc_server.service.rejected.add("tok_1_ACCESSTOKENMARKER")  # a refresh and replay
    client.caller.call(GET_ORG, get_req())
    grpc_server.service.script.append(
        fail_with_error_info(
            grpc.StatusCode.INVALID_ARGUMENT, "bad name", error_code="E", request_id="r", violations=[]
        )
    )
    texts = [repr(client), str(client), repr(client.token_source), repr(client._opts)]
    with pytest.raises(errors.BadRequestError) as bad:
        client.caller.call(CREATE, create_req())
    texts.append(_texts(bad.value))
    grpc_server.service.reject_all = True
    with pytest.raises(errors.AuthenticationError) as unauth:
        client.caller.call(GET_ORG, get_req())
    texts.append(_texts(unauth.value))
    token_endpoint.failures.append((401, {"error": "invalid_client"}))
    client.token_source.invalidate(token_endpoint.issued[-1])
    with pytest.raises(errors.OAuthError) as oauth:
        client.token_source.get_token()
    texts.append(_texts(oauth.value))
    assert CLIENT_ID in texts[0]
    assert grpc_server.env_url in texts[0]
    assert len(token_endpoint.issued) >= 2
    for secret in (SECRET, *token_endpoint.issued):
        assert secret not in caplog.text
        for text in texts:
            assert secret not in text
