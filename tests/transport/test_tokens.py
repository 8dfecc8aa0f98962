"""Client-credentials token sources: request shape, caching, early refresh, single flight, retries, errors."""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from scalekit_py import errors
from scalekit_py._tokens import (
    DEFAULT_TOKEN_LIFETIME,
    AsyncClientCredentialsTokenSource,
    ClientCredentialsTokenSource,
    TokenGrant,
    fingerprint,
    parse_token_response,
    refresh_at,
    token_retry_delay,
)
from scalekit_py._transport.retry import RetryPolicy
from tests.transport._servers import CLIENT_ID, FAST_RETRY, SECRET, TokenEndpoint


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sync_source(endpoint: TokenEndpoint, **kw: object) -> ClientCredentialsTokenSource:
    kw.setdefault("retry", FAST_RETRY)
    return ClientCredentialsTokenSource(endpoint.url, CLIENT_ID, SECRET, **kw)  # type: ignore[arg-type]


def async_source(endpoint: TokenEndpoint, **kw: object) -> AsyncClientCredentialsTokenSource:
    kw.setdefault("retry", FAST_RETRY)
    return AsyncClientCredentialsTokenSource(endpoint.url, CLIENT_ID, SECRET, **kw)  # type: ignore[arg-type]


# --- pure functions ---------------------------------------------------------------------------------------


def test_parse_token_response_accepts_a_bearer_token() -> None:
    grant = parse_token_response(b'{"access_token": "abc", "token_type": "bearer", "expires_in": "120"}')
    assert grant == TokenGrant("abc", 120.0, "bearer", None)
    assert "abc" not in repr(grant)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"token_type": "Bearer"}',
        b'{"access_token": ""}',
        b'{"access_token": "a", "token_type": "mac"}',
        b'{"access_token": "a", "expires_in": -5}',
        b'{"access_token": "a", "expires_in": "soon"}',
        b'{"access_token": "a", "expires_in": true}',
    ],
)
def test_parse_token_response_rejects_malformed_bodies(body: bytes) -> None:
    with pytest.raises(errors.APIError):
        parse_token_response(body)


def test_refresh_at_subtracts_the_margin_and_clamps_it_for_short_lived_tokens() -> None:
    assert refresh_at(100.0, 3600, 60) == 100.0 + 3540
    assert refresh_at(100.0, 30, 60) == 100.0 + 15  # margin clamped to half the lifetime
    assert refresh_at(0.0, None, 60) == DEFAULT_TOKEN_LIFETIME - 60


def test_token_retry_delay_retries_transient_failures_only() -> None:
    policy = RetryPolicy(initial_backoff=0.5, jitter=0.0, max_attempts=3, deadline=10.0)
    server = errors.ServerError("boom")
    assert token_retry_delay(policy, server, 1, 0.0) == 0.5
    assert token_retry_delay(policy, errors.RateLimitError("slow"), 2, 0.0) == 1.0
    assert token_retry_delay(policy, errors.APIConnectionError("down"), 1, 0.0) == 0.5
    assert token_retry_delay(policy, server, 3, 0.0) is None  # attempts used up
    assert token_retry_delay(policy, server, 1, 9.8) is None  # would end past the deadline
    assert token_retry_delay(None, server, 1, 0.0) is None
    oauth = errors.OAuthError("invalid_client", error="invalid_client")
    assert token_retry_delay(policy, oauth, 1, 0.0) is None


def test_fingerprint_is_short_and_does_not_contain_the_token() -> None:
    tag = fingerprint("tok_secret_value")
    assert tag.startswith("sha256:")
    assert len(tag) == 15
    assert "secret" not in tag


# --- request shape and caching -----------------------------------------------------------------------------


def test_request_is_a_form_post_without_bearer_and_token_is_cached(token_endpoint: TokenEndpoint) -> None:
    with sync_source(token_endpoint, scope="organizations:read") as source:
        first = source.get_token()
        assert source.get_token() == first
    assert token_endpoint.count == 1
    req = token_endpoint.requests[0]
    assert req.form == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "scope": "organizations:read",
    }
    assert req.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in req.headers
    assert req.headers["x-sdk-version"].startswith("scalekit-py/")
    assert req.headers["user-agent"].startswith("scalekit-py/")


async def test_async_request_is_a_form_post_without_bearer(token_endpoint: TokenEndpoint) -> None:
    async with async_source(token_endpoint) as source:
        first = await source.get_token()
        assert await source.get_token() == first
    assert token_endpoint.count == 1
    req = token_endpoint.requests[0]
    assert req.form["grant_type"] == "client_credentials"
    assert req.form["client_secret"] == SECRET
    assert "authorization" not in req.headers


def test_refreshes_before_expiry(token_endpoint: TokenEndpoint) -> None:
    token_endpoint.expires_in = 120
    clock = FakeClock()
    with sync_source(token_endpoint, refresh_margin=60, clock=clock) as source:
        first = source.get_token()
        clock.now += 59
        assert source.get_token() == first
        clock.now += 2  # 61 s in: within the 60 s margin of the 120 s lifetime
        second = source.get_token()
    assert second != first
    assert token_endpoint.count == 2


async def test_async_refreshes_before_expiry_with_clamped_margin(token_endpoint: TokenEndpoint) -> None:
    token_endpoint.expires_in = 30  # shorter than the margin: refreshed at half-life, not on every call
    clock = FakeClock()
    async with async_source(token_endpoint, refresh_margin=60, clock=clock) as source:
        first = await source.get_token()
        clock.now += 14
        assert await source.get_token() == first
        clock.now += 2
        assert await source.get_token() != first
    assert token_endpoint.count == 2


def test_invalidate_only_drops_the_token_still_cached(token_endpoint: TokenEndpoint) -> None:
    with sync_source(token_endpoint) as source:
        first = source.get_token()
        source.invalidate("some-older-token")
        assert source.get_token() == first
        source.invalidate(first)
        second = source.get_token()
        source.invalidate(first)  # a late caller rejected with the old token: no second refresh
        assert source.get_token() == second
    assert token_endpoint.count == 2


async def test_async_invalidate_only_drops_the_token_still_cached(token_endpoint: TokenEndpoint) -> None:
    async with async_source(token_endpoint) as source:
        first = await source.get_token()
        source.invalidate(first)
        second = await source.get_token()
        source.invalidate(first)
        assert await source.get_token() == second != first
    assert token_endpoint.count == 2


# --- single flight ----------------------------------------------------------------------------------------


def test_64_cold_threads_make_one_request(token_endpoint: TokenEndpoint) -> None:
    token_endpoint.delay = 0.2
    barrier = threading.Barrier(64)
    with sync_source(token_endpoint) as source:

        def work() -> str:
            barrier.wait()
            return source.get_token()

        with ThreadPoolExecutor(64) as pool:
            tokens = list(pool.map(lambda _: work(), range(64)))
    assert token_endpoint.count == 1
    assert set(tokens) == {token_endpoint.issued[0]}


async def test_1000_cold_tasks_make_one_request(token_endpoint: TokenEndpoint) -> None:
    token_endpoint.delay = 0.05
    async with async_source(token_endpoint) as source:
        tokens = await asyncio.gather(*(source.get_token() for _ in range(1000)))
    assert token_endpoint.count == 1
    assert set(tokens) == {token_endpoint.issued[0]}


def test_failure_reaches_every_waiting_thread_and_the_next_call_retries(
    token_endpoint: TokenEndpoint,
) -> None:
    token_endpoint.delay = 0.1
    token_endpoint.failures.append((401, {"error": "invalid_client", "error_description": "bad creds"}))
    barrier = threading.Barrier(16)
    with sync_source(token_endpoint) as source:

        def work() -> BaseException | str:
            barrier.wait()
            try:
                return source.get_token()
            except errors.ScalekitError as exc:
                return exc

        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(lambda _: work(), range(16)))
        assert token_endpoint.count == 1
        assert all(isinstance(r, errors.OAuthError) and r.error == "invalid_client" for r in results)
        token_endpoint.delay = 0.0
        assert source.get_token() == token_endpoint.issued[0]
    assert token_endpoint.count == 2


async def test_failure_reaches_every_waiting_task_and_the_next_call_retries(
    token_endpoint: TokenEndpoint,
) -> None:
    token_endpoint.delay = 0.05
    token_endpoint.failures.append((400, {"error": "invalid_client"}))
    async with async_source(token_endpoint) as source:
        results = await asyncio.gather(*(source.get_token() for _ in range(50)), return_exceptions=True)
        assert token_endpoint.count == 1
        assert all(isinstance(r, errors.OAuthError) and r.http_status == 400 for r in results)
        assert await source.get_token() == token_endpoint.issued[0]
    assert token_endpoint.count == 2


async def test_a_cancelled_waiter_does_not_cancel_the_shared_request(token_endpoint: TokenEndpoint) -> None:
    token_endpoint.delay = 0.1
    async with async_source(token_endpoint) as source:
        impatient = asyncio.ensure_future(source.get_token())
        patient = asyncio.ensure_future(source.get_token())
        await asyncio.sleep(0.02)
        impatient.cancel()
        assert await patient == token_endpoint.issued[0]
        assert impatient.cancelled()
    assert token_endpoint.count == 1


# --- retries and error mapping -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503, 429])
def test_transient_failures_are_retried(token_endpoint: TokenEndpoint, status: int) -> None:
    token_endpoint.failures.extend([(status, {}), (status, {})])
    with sync_source(token_endpoint) as source:
        assert source.get_token() == token_endpoint.issued[0]
    assert token_endpoint.count == 3


async def test_async_gives_up_after_max_attempts(token_endpoint: TokenEndpoint) -> None:
    token_endpoint.failures.extend([(500, {})] * 5)
    async with async_source(token_endpoint) as source:
        with pytest.raises(errors.ServerError) as info:
            await source.get_token()
    assert info.value.http_status == 500
    assert token_endpoint.count == FAST_RETRY.max_attempts


def test_oauth_errors_are_not_retried(token_endpoint: TokenEndpoint) -> None:
    token_endpoint.failures.append((401, {"error": "invalid_client", "error_description": "unknown"}))
    with sync_source(token_endpoint) as source, pytest.raises(errors.OAuthError) as info:
        source.get_token()
    assert info.value.error == "invalid_client"
    assert info.value.http_status == 401
    assert token_endpoint.count == 1


def test_malformed_success_is_an_api_error_not_retried(token_endpoint: TokenEndpoint) -> None:
    token_endpoint.failures.append((200, {"token_type": "Bearer"}))
    with sync_source(token_endpoint) as source, pytest.raises(errors.APIError):
        source.get_token()
    assert token_endpoint.count == 1


def test_unreachable_endpoint_is_a_connection_error() -> None:
    from tests.transport._servers import free_port

    url = f"http://127.0.0.1:{free_port()}/oauth/token"
    source = ClientCredentialsTokenSource(url, CLIENT_ID, SECRET, retry=FAST_RETRY)
    with source, pytest.raises(errors.APIConnectionError) as info:
        source.get_token()
    assert info.value.__cause__ is not None  # raised from the httpx error, which never escapes itself


async def test_async_unreachable_endpoint_is_a_connection_error() -> None:
    from tests.transport._servers import free_port

    url = f"http://127.0.0.1:{free_port()}/oauth/token"
    async with AsyncClientCredentialsTokenSource(url, CLIENT_ID, SECRET, retry=None) as source:
        with pytest.raises(errors.APIConnectionError):
            await source.get_token()


# --- configuration and secrets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kw"),
    [
        ("http://auth.example.com/oauth/token", {}),
        ("ftp://127.0.0.1/oauth/token", {}),
        ("https://127.0.0.1/oauth/token", {"refresh_margin": -1}),
        ("https://127.0.0.1/oauth/token", {"timeout": 0}),
    ],
)
def test_bad_configuration_is_refused(url: str, kw: dict[str, Any]) -> None:
    with pytest.raises(errors.ConfigurationError):
        ClientCredentialsTokenSource(url, CLIENT_ID, SECRET, **kw)


def test_plaintext_to_a_remote_host_needs_allow_insecure() -> None:
    source = ClientCredentialsTokenSource(
        "http://auth.example.com/oauth/token", CLIENT_ID, SECRET, allow_insecure=True
    )
    assert source.token_url == "http://auth.example.com/oauth/token"


def test_secret_and_token_never_in_repr_or_logs(
    token_endpoint: TokenEndpoint, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token_endpoint.failures.append((503, {}))
    with sync_source(token_endpoint) as source:
        token = source.get_token()
        text = f"{source!r} {source!s}"
    assert CLIENT_ID in text
    for secret in (SECRET, token):
        assert secret not in text
        assert secret not in caplog.text
    assert "retrying" in caplog.text  # the retry was logged, without secrets
