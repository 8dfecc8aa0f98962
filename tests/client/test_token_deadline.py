"""The call's deadline bounds the token fetch, however the token endpoint stalls (issue 12, item 1).

Two stalling endpoints on 127.0.0.1: one accepts the connection and never answers, one answers a byte
every half second (each read is fast, so a per-read timeout never fires). The pytest-timeout marks are
hang guards: before the fix the first call took ~30 s against the first and never returned against
the second.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from scalekit_py import APITimeoutError, AsyncScalekitClient, ClientCredentialsTokenSource, ScalekitClient

RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n" + b" " * 500


class StallingEndpoint:
    """A TCP listener that either never answers (``drip=False``) or answers one byte at a time."""

    def __init__(self, *, drip: bool) -> None:
        self.drip = drip
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        for byte in RESPONSE if self.drip else b"":
            if self.stop.wait(0.5):
                return
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                return
        self.stop.wait()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        for conn in self.conns:
            conn.close()


@pytest.fixture(params=["silent", "drip"])
def endpoint(request: pytest.FixtureRequest) -> Iterator[StallingEndpoint]:
    server = StallingEndpoint(drip=request.param == "drip")
    yield server
    server.close()


@pytest.mark.timeout(20)
def test_sync_call_fails_by_its_deadline(endpoint: StallingEndpoint) -> None:
    token_url = f"{endpoint.url}/oauth/token"
    with ScalekitClient(endpoint.url, "skc_1", "secret", timeout=1.5, token_url=token_url) as client:
        with pytest.raises(APITimeoutError, match="token endpoint did not answer in time"):
            client.organization.get_organization("org_1")
        # A second call does not queue behind the stalled request for longer than its own deadline.
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.organization.get_organization("org_1", timeout=0.5)
        assert time.monotonic() - started < 10  # hang guard, not a speed target


@pytest.mark.timeout(20)
def test_async_call_fails_by_its_deadline(endpoint: StallingEndpoint) -> None:
    async def run() -> None:
        token_url = f"{endpoint.url}/oauth/token"
        async with AsyncScalekitClient(
            endpoint.url, "skc_1", "secret", timeout=1.5, token_url=token_url
        ) as client:
            with pytest.raises(APITimeoutError, match="token endpoint did not answer in time"):
                await client.organization.get_organization("org_1")
            results = await asyncio.gather(
                *(client.organization.get_organization("org_1", timeout=0.5) for _ in range(5)),
                return_exceptions=True,
            )
            assert all(isinstance(r, APITimeoutError) for r in results)

    asyncio.run(run())


@pytest.mark.timeout(20)
def test_the_token_source_abandons_a_request_past_its_budget(endpoint: StallingEndpoint) -> None:
    """Without a caller deadline, the fetch budget (one request's timeout when not retrying) ends it."""
    with ClientCredentialsTokenSource(
        f"{endpoint.url}/oauth/token", "skc_1", "secret", timeout=1.0, retry=None
    ) as source:
        with pytest.raises(APITimeoutError):
            source.get_token()
        with pytest.raises(APITimeoutError):
            source.get_token()  # a new request, not a wait on the abandoned one forever


@pytest.mark.timeout(20)
def test_oauth_client_requests_end_by_its_timeout(endpoint: StallingEndpoint) -> None:
    from scalekit_py import OAuthClient

    with OAuthClient(endpoint.url, "skc_1", "secret", timeout=1.0) as oauth:
        with pytest.raises(APITimeoutError, match="did not answer within 1 s"):
            oauth.discover()
        with pytest.raises(APITimeoutError):
            oauth.refresh_access_token("rt_1")


@pytest.mark.timeout(20)
def test_async_oauth_client_requests_end_by_its_timeout(endpoint: StallingEndpoint) -> None:
    from scalekit_py import AsyncOAuthClient

    async def run() -> None:
        async with AsyncOAuthClient(endpoint.url, "skc_1", "secret", timeout=1.0) as oauth:
            with pytest.raises(APITimeoutError, match="did not answer within 1 s"):
                await oauth.discover()
            with pytest.raises(APITimeoutError):
                await oauth.refresh_access_token("rt_1")

    asyncio.run(run())
