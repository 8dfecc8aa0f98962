"""Authentication, transport failures and secrets, through the real clients, in both flavours.

A token the service refuses is produced by a stand-in token endpoint (``token_url``) that hands out an
expired token minted by the emulator: the client believes it, the gRPC service does not.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import grpc
import httpx
import pytest

from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ScalekitError,
    ServiceUnavailableError,
    UnavailableOutcomeUnknownError,
)
from tests.e2e._support import FLAVOURS, CallRecorder, api_error, assert_no_secret, connected

GET_ORGANIZATION = "/scalekit.v1.organizations.OrganizationService/GetOrganization"


class TokenServer(ThreadingHTTPServer):
    """A token endpoint that answers every request with ``token`` (and counts the requests)."""

    token = ""
    requests = 0

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/oauth/token"


class _TokenHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        server = cast(TokenServer, self.server)
        self.rfile.read(int(self.headers.get("content-length", "0")))
        server.requests += 1
        body = json.dumps({"access_token": server.token, "token_type": "Bearer", "expires_in": 3600}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def token_server() -> Iterator[TokenServer]:
    server = TokenServer(("127.0.0.1", 0), _TokenHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def outcome(call: Any) -> BaseException:
    """The exception ``call`` raised (the test fails if it raised none)."""
    with pytest.raises(Exception) as info:  # noqa: PT011 - callers check the exact class
        call()
    return info.value


def test_each_flavour_runs_its_own_call_path(
    flavour: str, emulator: Emulator, recorder: CallRecorder
) -> None:
    with connected(flavour, recorder, emulator.env_url, emulator.client_id, emulator.client_secret) as client:
        assert type(client.caller).__name__ == {"sync": "SyncCaller", "async": "AsyncCaller"}[flavour]
        assert emulator.seeded is not None
        org = client.organization.get_organization(emulator.seeded.organization_id)
        assert org.display_name == "Acme Inc"


def test_repr_never_shows_the_secret(flavour: str, emulator: Emulator, recorder: CallRecorder) -> None:
    with connected(flavour, recorder, emulator.env_url, emulator.client_id, emulator.client_secret) as client:
        assert emulator.seeded is not None
        client.organization.get_organization(emulator.seeded.organization_id)  # a token is now held
        for text in (
            repr(client),
            str(client),
            repr(client.token_source),
            repr(client.with_options(timeout=3)),
        ):
            assert_no_secret(text, emulator.client_secret)
        assert emulator.client_id in repr(client)
        assert emulator.env_url in repr(client)


def _refused_credentials(flavour: str, emulator: Emulator, recorder: CallRecorder) -> tuple[APIError, str]:
    wrong = f"wrong_{secrets.token_urlsafe(24)}"
    rpcs_before = emulator.counters.rpcs(GET_ORGANIZATION)
    refused_before = emulator.counters.token_requests(status=401)
    with connected(flavour, recorder, emulator.env_url, emulator.client_id, wrong) as client:
        assert_no_secret(repr(client), wrong)
        err = outcome(lambda: client.organization.get_organization("org_123456789"))
    assert isinstance(err, APIError), f"{type(err).__name__}: {err}"
    assert emulator.counters.rpcs(GET_ORGANIZATION) == rpcs_before  # refused before any RPC was sent
    assert emulator.counters.token_requests(status=401) == refused_before + 1  # and not retried
    return err, wrong


def test_wrong_client_secret(flavour: str, emulator: Emulator, recorder: CallRecorder) -> None:
    err, wrong = _refused_credentials(flavour, emulator, recorder)
    assert not isinstance(err, (grpc.RpcError, httpx.HTTPError))
    assert err.http_status == 401
    assert err.error_code == "invalid_client"
    for text in (str(err), repr(err)):
        assert_no_secret(text, wrong, emulator.client_secret)


def test_wrong_client_secret_is_an_authentication_error(
    flavour: str, emulator: Emulator, recorder: CallRecorder
) -> None:
    err, _ = _refused_credentials(flavour, emulator, recorder)
    assert isinstance(err, AuthenticationError)


def test_token_refused_by_the_service(
    flavour: str, emulator: Emulator, recorder: CallRecorder, token_server: TokenServer
) -> None:
    """UNAUTHENTICATED: one refresh and one replay, then ``AuthenticationError`` (never a loop)."""
    token_server.token = token = emulator.access_token(ttl=-3600)
    token_server.requests = 0
    refused_before = emulator.counters.rpcs(GET_ORGANIZATION, "UNAUTHENTICATED")
    assert emulator.seeded is not None
    org_id = emulator.seeded.organization_id
    with connected(
        flavour,
        recorder,
        emulator.env_url,
        emulator.client_id,
        emulator.client_secret,
        token_url=token_server.url,
    ) as client:
        err = api_error(
            AuthenticationError,
            lambda: client.organization.get_organization(org_id),
            grpc_code="UNAUTHENTICATED",
            error_code="UNAUTHENTICATED",
            secrets=(token,),
        )
        assert_no_secret(repr(client.token_source), token)
    assert err.http_status == 401
    assert token_server.requests == 2
    assert emulator.counters.rpcs(GET_ORGANIZATION, "UNAUTHENTICATED") == refused_before + 2


def test_unreachable_service(flavour: str, recorder: CallRecorder) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    secret = f"secret_{secrets.token_urlsafe(16)}"
    with connected(flavour, recorder, f"http://127.0.0.1:{port}", "skc_1", secret, retry=None) as client:
        err = outcome(lambda: client.organization.get_organization("org_123456789"))
    assert type(err) is APIConnectionError, f"{type(err).__name__}: {err}"
    assert isinstance(err.__cause__, httpx.HTTPError)  # chained, not escaped
    assert_no_secret(str(err), secret)


def test_unavailable_service(client: ScalekitClient, emulator: Emulator) -> None:
    """UNAVAILABLE: a write fails at once with an unknown outcome (still a ServiceUnavailableError), a read
    is retried by default (and not with ``retry=None``)."""
    org = client.organization.create_organization("Flaky")
    try:
        emulator.faults.set(rpc_unavailable_next=1, methods=("CreateOrganization",))
        err = api_error(
            UnavailableOutcomeUnknownError,
            lambda: client.organization.create_organization("Flaky 2"),
            grpc_code="UNAVAILABLE",
        )
        assert err.http_status == 503
        assert isinstance(err, ServiceUnavailableError)
        assert isinstance(err, ScalekitError)
        emulator.faults.set(rpc_unavailable_next=1, methods=("GetOrganization",))
        assert client.organization.get_organization(org.id).id == org.id
        emulator.faults.set(rpc_unavailable_next=1, methods=("GetOrganization",))
        api_error(
            ServiceUnavailableError,
            lambda: client.organization.get_organization(org.id, retry=None),
            grpc_code="UNAVAILABLE",
        )
    finally:
        emulator.faults.clear()
    assert client.organization.get_organization(org.id, timeout=5.0).id == org.id
