"""The clients over real HTTP on 127.0.0.1 with their own (owned) httpx clients: a flow against a
socket server, connection refused and read timeout mapped to SDK errors, owned clients closed."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from scalekit_py import errors
from scalekit_py.oauth import AsyncOAuthClient, CodeAuthenticationOptions, OAuthClient, generate_pkce_pair
from tests.oauth.fake_idp import CLIENT_ID, CLIENT_SECRET, FakeIdP, SocketServer

REDIRECT = "http://127.0.0.1/cb"


@pytest.fixture
def server(idp: FakeIdP) -> Iterator[SocketServer]:
    with SocketServer(idp) as srv:
        yield srv


def test_sync_flow_over_a_socket(server: SocketServer, idp: FakeIdP) -> None:
    verifier, _ = generate_pkce_pair()
    oauth = OAuthClient(server.url, CLIENT_ID, CLIENT_SECRET, clock=lambda: idp.now)
    with oauth:
        result = oauth.authenticate_with_code(
            idp.new_code(verifier=verifier), REDIRECT, CodeAuthenticationOptions(code_verifier=verifier)
        )
        assert result.user.id == "usr_1"
        assert result.refresh_token is not None
        assert oauth.refresh_access_token(result.refresh_token).refresh_token != result.refresh_token
        http = oauth._http
        assert http is not None
    assert http.is_closed  # owned: closed with the client


async def test_async_flow_over_a_socket(server: SocketServer, idp: FakeIdP) -> None:
    async with AsyncOAuthClient(server.url, CLIENT_ID, CLIENT_SECRET, clock=lambda: idp.now) as oauth:
        result = await oauth.authenticate_with_code(idp.new_code(), REDIRECT)
        assert (await oauth.validate_token(result.access_token))["sub"] == "usr_1"
        assert (await oauth.introspect_token(result.access_token)).active is True
        http = oauth._http
        assert http is not None
    assert http.is_closed


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_connection_refused_is_an_api_connection_error() -> None:
    with (
        OAuthClient(_refused_url(), CLIENT_ID, CLIENT_SECRET) as oauth,
        pytest.raises(errors.APIConnectionError),
    ):
        oauth.discover()


async def test_async_connection_refused_is_an_api_connection_error() -> None:
    async with AsyncOAuthClient(_refused_url(), CLIENT_ID, CLIENT_SECRET) as oauth:
        with pytest.raises(errors.APIConnectionError):
            await oauth.refresh_access_token("rt")


def test_silent_server_is_an_api_timeout_error() -> None:
    with socket.socket() as listener:  # accepts connections (backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with (
            OAuthClient(url, CLIENT_ID, CLIENT_SECRET, timeout=0.2) as oauth,
            pytest.raises(errors.APITimeoutError),
        ):
            oauth.discover()
