"""Sessions end to end: a real login against the emulator, refreshes counted by the emulator.

The session's clock is the wall clock plus an offset the test moves forward, so "an hour later" needs
no waiting; the emulator itself runs on real time (its refresh tokens live for days).
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from scalekit_py import errors
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.emulator import Emulator
from scalekit_py.oauth import (
    AsyncOAuthClient,
    AuthenticationResponse,
    AuthorizationUrlOptions,
    CodeAuthenticationOptions,
    OAuthClient,
    generate_pkce_pair,
)
from scalekit_py.sessions import (
    AsyncAuthorizationSession,
    AuthorizationSession,
    InMemoryTokenStore,
    TokenStore,
)
from tests.sessions.fakes import Events, FlakyStore

REDIRECT = "http://127.0.0.1:8765/callback"
TTL = 600  # access token lifetime the emulator grants
FAST = RetryPolicy(initial_backoff=0.01, max_backoff=0.05, multiplier=2.0, jitter=0.0)


class OffsetClock:
    """Wall clock plus an adjustable offset."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(token_ttl=TTL) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _reset(emu: Emulator) -> None:
    emu.faults.clear()
    emu.counters.reset()


@pytest.fixture
def oauth(emu: Emulator) -> Iterator[OAuthClient]:
    with OAuthClient(emu.env_url, emu.client_id, emu.client_secret) as client:
        yield client


def sign_in(oauth: OAuthClient, email: str) -> AuthenticationResponse:
    """Authorize ``email`` (auto-approved via ``login_hint``) with PKCE and exchange the code."""
    verifier, challenge = generate_pkce_pair()
    nonce = secrets.token_urlsafe(12)
    url = oauth.get_authorization_url(
        REDIRECT,
        AuthorizationUrlOptions(
            scopes=("openid", "email", "offline_access"),
            state=secrets.token_urlsafe(12),
            nonce=nonce,
            login_hint=email,
            code_challenge=challenge,
        ),
    )
    with httpx.Client(follow_redirects=False) as browser:
        reply = browser.get(url)
    assert reply.status_code == 302, reply.text
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(reply.headers["location"]).query))["code"]
    return oauth.authenticate_with_code(
        code, REDIRECT, CodeAuthenticationOptions(code_verifier=verifier, nonce=nonce)
    )


def _admin(emu: Emulator) -> str:
    assert emu.seeded is not None
    return emu.seeded.admin_email


def _session(
    oauth: OAuthClient, store: TokenStore | None = None, **kw: object
) -> tuple[AuthorizationSession, OffsetClock]:
    clock = OffsetClock()
    options: dict[str, Any] = {"clock": clock, "retry": FAST}
    options.update(kw)
    session = AuthorizationSession(
        f"e2e-{secrets.token_hex(4)}",
        store=store if store is not None else InMemoryTokenStore(),
        refresher=oauth,
        **options,
    )
    return session, clock


def test_login_establish_and_refresh_at_expiry(emu: Emulator, oauth: OAuthClient) -> None:
    signed_in = sign_in(oauth, _admin(emu))
    events = Events()
    session, clock = _session(oauth, on_event=events)
    session.establish(signed_in)
    assert session.get_access_token() == signed_in.access_token
    assert emu.counters.token_requests("refresh_token") == 0

    clock.offset = TTL - 30  # inside the 60 s margin
    token = session.get_access_token()
    assert token != signed_in.access_token
    assert emu.counters.token_requests("refresh_token", 200) == 1
    assert oauth.validate_token(token)["sub"] == signed_in.user.id
    record = session.load()
    assert record is not None
    assert record.refresh_token not in (None, signed_in.refresh_token)
    assert record.id_token is not None
    assert session.get_access_token() == token  # fresh: no more requests
    assert emu.counters.token_requests("refresh_token") == 1
    assert events.kinds() == ["persisted", "refreshed", "persisted"]


def test_32_threads_and_500_tasks_at_expiry_make_one_refresh_request(
    emu: Emulator, oauth: OAuthClient
) -> None:
    signed_in = sign_in(oauth, _admin(emu))
    store = InMemoryTokenStore()
    clock = OffsetClock()
    clock.offset = TTL + 1  # expired
    emu.faults.set(token_latency_ms=150)  # keep the refresh in flight while everyone piles up
    sync_session = AuthorizationSession("shared", store=store, refresher=oauth, clock=clock)
    sync_session.establish(signed_in, requested_at=time.time())
    barrier = threading.Barrier(33)
    got: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait(10)
        token = sync_session.get_access_token()
        with lock:
            got.append(token)

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for t in threads:
        t.start()

    async def tasks() -> list[str]:
        async with AsyncOAuthClient(emu.env_url, emu.client_id, emu.client_secret) as aoauth:
            session = AsyncAuthorizationSession("shared", store=store, refresher=aoauth, clock=clock)
            barrier.wait(10)
            return await asyncio.gather(*(session.get_access_token() for _ in range(500)))

    task_tokens = asyncio.run(tasks())
    for t in threads:
        t.join(30)
    assert emu.counters.token_requests("refresh_token") == 1  # counted by the emulator
    record = sync_session.load()
    assert record is not None
    assert set(got) == set(task_tokens) == {record.access_token}
    assert len(got) == 32


def test_crash_between_refresh_and_persist_loses_no_refresh_token(emu: Emulator, oauth: OAuthClient) -> None:
    store = FlakyStore()
    session, clock = _session(oauth, store)
    session.establish(sign_in(oauth, _admin(emu)))
    clock.offset = TTL + 1
    store.fail_puts.extend([None, OSError("disk full")])  # claim ok; saving the rotated pair fails
    with pytest.raises(errors.SessionStoreError):
        session.get_access_token()
    assert emu.counters.token_requests("refresh_token", 200) == 1

    token = session.get_access_token()  # saves the pair kept in memory; no new request
    assert emu.counters.token_requests("refresh_token") == 1
    assert oauth.validate_access_token(token)
    clock.offset = 2 * TTL + 2
    session.get_access_token()  # the saved refresh token is the live one: the server accepts it
    assert emu.counters.token_requests("refresh_token", 200) == 2
    assert emu.counters.token_requests("refresh_token", 400) == 0  # never a replayed token


def test_outage_retries_with_backoff_then_recovers(emu: Emulator, oauth: OAuthClient) -> None:
    events = Events()
    session, clock = _session(oauth, on_event=events, queue_timeout=10)
    signed_in = sign_in(oauth, _admin(emu))
    session.establish(signed_in)
    emu.faults.set(token_error_next=2, token_error_status=503)
    clock.offset = TTL + 1
    token = session.get_access_token()
    assert token != signed_in.access_token
    assert emu.counters.token_requests("refresh_token", 503) == 2
    assert emu.counters.token_requests("refresh_token", 200) == 1
    failed = [e for e in events.items if e.kind == "refresh_failed"]
    assert [type(e.error) for e in failed] == [errors.ServiceUnavailableError] * 2


def test_outage_serves_valid_token_and_times_out_expired_callers(emu: Emulator, oauth: OAuthClient) -> None:
    session, clock = _session(oauth, queue_timeout=0.3)
    signed_in = sign_in(oauth, _admin(emu))
    session.establish(signed_in)
    emu.faults.set(token_error_rate=1.0, token_error_status=500)
    clock.offset = TTL - 30  # due, still valid
    assert session.get_access_token() == signed_in.access_token
    clock.offset = TTL + 1
    with pytest.raises(errors.SessionTimeoutError) as info:
        session.get_access_token()
    assert isinstance(info.value.__cause__, errors.ServerError)
    assert emu.counters.token_requests("refresh_token", 200) == 0
    emu.faults.clear()
    assert session.get_access_token() != signed_in.access_token  # the session survived the outage


def test_reused_refresh_token_ends_session_with_reuse_detected(emu: Emulator, oauth: OAuthClient) -> None:
    events = Events()
    session, clock = _session(oauth, on_event=events)
    signed_in = sign_in(oauth, _admin(emu))
    session.establish(signed_in)
    assert signed_in.refresh_token is not None
    oauth.refresh_access_token(signed_in.refresh_token)  # a thief used our refresh token first
    clock.offset = TTL + 1
    with pytest.raises(errors.SessionExpiredError) as info:
        session.get_access_token()
    assert info.value.reason == "reuse_detected"
    assert "reuse_detected" in events.kinds()
    assert session.load() is None
    assert emu.counters.token_requests("refresh_token", 400) == 1
