"""AuthorizationSession against a fake rotating token server: refresh, expiry, failures, outages, crashes."""

from __future__ import annotations

import dataclasses
import logging
import threading
from typing import Any

import pytest

from scalekit_py import errors
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.sessions import (
    AuthorizationSession,
    InMemoryTokenStore,
    Lease,
    OAuthRefresher,
    SessionRecord,
    TokenSet,
    TokenStore,
)
from tests.sessions.fakes import Events, FakeClock, FakeTokenServer, FlakyStore, SyncRefresher, wait_until

NO_JITTER = RetryPolicy(initial_backoff=1.0, max_backoff=4.0, multiplier=2.0, jitter=0.0)


class Rig:
    """A session over a fake server, a fake clock and an in-memory (or given) store."""

    def __init__(self, store: TokenStore | None = None, **kw: object) -> None:
        self.server = FakeTokenServer(expires_in=300)
        self.clock = FakeClock()
        self.events = Events()
        self.store = store if store is not None else InMemoryTokenStore()
        self.refresher = SyncRefresher(self.server)
        options: dict[str, Any] = {
            "refresh_margin": 60.0,
            "queue_timeout": 30.0,
            "retry": NO_JITTER,
            "clock": self.clock,
            "sleep": self.clock.sleep,
            "on_event": self.events,
        }
        options.update(kw)
        self.session = AuthorizationSession("sess-1", store=self.store, refresher=self.refresher, **options)
        self.first = self.server.issue()
        self.session.establish(self.first)

    def stored(self) -> SessionRecord:
        got = self.store.get("sess-1")
        assert got is not None
        return got.record


def test_fresh_token_is_served_without_refreshing() -> None:
    rig = Rig()
    assert rig.session.get_access_token() == rig.first.access_token
    rig.clock.advance(239)  # 300 s lifetime, 60 s margin
    assert rig.session.get_access_token() == rig.first.access_token
    assert rig.server.calls == []
    assert rig.events.kinds() == ["persisted"]  # from establish


def test_refreshes_within_margin_and_saves_rotated_pair_first() -> None:
    rig = Rig()
    rig.clock.advance(241)
    token = rig.session.get_access_token()
    assert token != rig.first.access_token
    assert rig.server.calls == [rig.first.refresh_token]
    stored = rig.stored()
    assert stored.access_token == token
    assert stored.refresh_token not in (None, rig.first.refresh_token)
    assert stored.generation == 1
    assert stored.lease is None
    assert stored.access_expires_at == rig.clock.now + 300
    assert rig.events.kinds() == ["persisted", "refreshed", "persisted"]
    assert rig.session.get_access_token() == token  # fresh again: no second refresh
    assert len(rig.server.calls) == 1


def test_refresh_forces_a_new_token() -> None:
    rig = Rig()
    token = rig.session.refresh()
    assert token != rig.first.access_token
    assert rig.session.refresh() not in (token, rig.first.access_token)
    assert len(rig.server.calls) == 2
    assert rig.stored().generation == 2


def test_establish_from_an_authentication_response_like_object() -> None:
    rig = Rig()

    @dataclasses.dataclass(frozen=True)
    class AuthenticationResponse:
        access_token: str
        refresh_token: str | None
        expires_in: int | None
        id_token: str

    rig.session.establish(AuthenticationResponse("at-x", "rt-x", 120, "idt-x"), refresh_expires_in=3600)
    record = rig.session.load()
    assert record is not None
    assert (record.access_token, record.refresh_token, record.id_token) == ("at-x", "rt-x", "idt-x")
    assert record.access_expires_at == rig.clock.now + 120
    assert record.refresh_expires_at == rig.clock.now + 3600
    with pytest.raises(errors.ConfigurationError):
        rig.session.establish(object())  # type: ignore[arg-type]


def test_not_established_session_raises_without_server_call() -> None:
    rig = Rig()
    other = rig.session.with_session_id("nobody")
    with pytest.raises(errors.SessionExpiredError) as info:
        other.get_access_token()
    assert info.value.reason == "not_established"
    assert rig.server.calls == []


def test_expired_refresh_token_ends_session_without_server_call() -> None:
    rig = Rig()
    rig.session.establish(rig.first, refresh_expires_in=200)
    rig.clock.advance(250)  # refresh due, refresh token expired, access token still valid: served
    assert rig.session.get_access_token() == rig.first.access_token
    rig.clock.advance(60)
    with pytest.raises(errors.SessionExpiredError) as info:
        rig.session.get_access_token()
    assert info.value.reason == "expired"
    assert rig.server.calls == []
    assert rig.store.get("sess-1") is None
    assert rig.events.items[-1].kind == "expired"
    assert rig.events.items[-1].reason == "expired"


def test_invalid_grant_is_terminal_and_clears_session() -> None:
    rig = Rig()
    rig.server.live.clear()  # revoked at the server
    rig.clock.advance(400)
    with pytest.raises(errors.SessionExpiredError) as info:
        rig.session.get_access_token()
    assert info.value.reason == "invalid_grant"
    assert isinstance(info.value.__cause__, errors.OAuthError)
    assert rig.store.get("sess-1") is None
    assert rig.events.kinds()[-2:] == ["refresh_failed", "expired"]
    with pytest.raises(errors.SessionExpiredError, match="not established"):
        rig.session.get_access_token()
    assert len(rig.server.calls) == 1


def test_reuse_reported_by_server_emits_reuse_detected() -> None:
    rig = Rig()
    assert rig.first.refresh_token is not None
    rig.server.refresh(rig.first.refresh_token)  # someone else used our refresh token
    rig.clock.advance(400)
    with pytest.raises(errors.SessionExpiredError) as info:
        rig.session.get_access_token()
    assert info.value.reason == "reuse_detected"
    assert rig.events.kinds()[-3:] == ["refresh_failed", "reuse_detected", "expired"]
    assert rig.server.reuse_detected == 1
    assert rig.store.get("sess-1") is None


def test_transient_failures_are_retried_with_backoff() -> None:
    rig = Rig()
    rig.server.fail_next(errors.ServiceUnavailableError("down"), errors.RateLimitError("slow down"))
    rig.clock.advance(400)  # access token expired: the caller must wait for a refresh
    token = rig.session.get_access_token()
    assert token == rig.stored().access_token
    assert len(rig.server.calls) == 3
    assert rig.server.calls[0] == rig.server.calls[1] == rig.server.calls[2] == rig.first.refresh_token
    assert rig.clock.slept == [1.0, 2.0]  # backoff 1 s, then 2 s
    failed = [e for e in rig.events.items if e.kind == "refresh_failed"]
    assert [type(e.error).__name__ for e in failed] == ["ServiceUnavailableError", "RateLimitError"]
    assert [e.retry_at for e in failed] == [rig.clock.now - 3.0 + 1.0, rig.clock.now]


def test_outage_serves_still_valid_token_and_backs_off() -> None:
    rig = Rig()
    rig.server.fail_next(*[errors.APIConnectionError("no route")] * 3)
    rig.clock.advance(250)  # refresh due, access token valid for 50 s more
    assert rig.session.get_access_token() == rig.first.access_token
    assert len(rig.server.calls) == 1
    rig.clock.advance(0.5)  # within the 1 s backoff: served, no attempt
    assert rig.session.get_access_token() == rig.first.access_token
    assert len(rig.server.calls) == 1
    rig.clock.advance(1)  # backoff over: one more attempt, still failing, still served
    assert rig.session.get_access_token() == rig.first.access_token
    assert len(rig.server.calls) == 2
    assert rig.clock.slept == []  # nobody waited
    assert rig.stored().lease is None  # the claim was released after each failure


def test_own_leftover_lease_does_not_block_the_next_attempt() -> None:
    store = FlakyStore()
    rig = Rig(store)
    rig.server.fail_next(errors.ServerError("boom"))
    rig.clock.advance(400)
    store.fail_puts.extend([None, OSError("store hiccup")])  # claim ok; releasing the claim fails
    token = rig.session.get_access_token()
    assert token == rig.stored().access_token
    assert rig.clock.slept == [1.0]  # only the backoff: our own lease was not waited for
    assert len(rig.server.calls) == 2


def test_queue_timeout_gives_typed_error_after_retrying() -> None:
    rig = Rig(queue_timeout=5.0)
    rig.server.fail_next(*[errors.ServerError("boom")] * 10)
    rig.clock.advance(400)
    with pytest.raises(errors.SessionTimeoutError) as info:
        rig.session.get_access_token()
    assert isinstance(info.value.__cause__, errors.ServerError)
    assert sum(rig.clock.slept) <= 5.0
    assert rig.clock.slept == [1.0, 2.0]  # the next backoff (4 s) would end after the deadline
    assert len(rig.server.calls) == 3
    assert rig.stored().refresh_token == rig.first.refresh_token  # the session survives the outage
    rig.server.failures.clear()
    rig.clock.advance(10)
    assert rig.session.get_access_token() == rig.stored().access_token  # and recovers after it


def test_other_failures_are_reported_and_keep_the_session() -> None:
    rig = Rig()
    rig.server.fail_next(errors.OAuthError("invalid_client", error="invalid_client", http_status=401))
    rig.clock.advance(400)
    with pytest.raises(errors.SessionError) as info:
        rig.session.get_access_token()
    assert not isinstance(info.value, errors.SessionExpiredError)
    assert isinstance(info.value.__cause__, errors.OAuthError)
    assert rig.stored().refresh_token == rig.first.refresh_token


def test_crash_between_refresh_and_persist_loses_no_refresh_token() -> None:
    store = FlakyStore()
    rig = Rig(store)
    rig.clock.advance(400)
    store.fail_puts.extend([None, OSError("disk full")])  # the claim succeeds, saving the new pair fails
    with pytest.raises(errors.SessionStoreError, match="kept in memory") as info:
        rig.session.get_access_token()
    assert isinstance(info.value.__cause__, OSError)
    assert rig.stored().refresh_token == rig.first.refresh_token  # the store still has the old state
    assert len(rig.server.calls) == 1
    issued_rt = next(iter(rig.server.live))  # the rotated token the server issued

    token = rig.session.get_access_token()  # saves the pair kept in memory; no second refresh
    assert len(rig.server.calls) == 1
    assert rig.stored().refresh_token == issued_rt
    assert rig.stored().access_token == token
    assert rig.stored().lease is None
    rig.clock.advance(400)
    rig.session.get_access_token()  # the saved refresh token works: nothing was lost
    assert rig.server.calls[1] == issued_rt
    assert rig.server.calls.count(rig.first.refresh_token or "") == 1  # the consumed token was never replayed
    assert rig.server.reuse_detected == 0


class Crash(BaseException):
    """Stands in for the process being interrupted (KeyboardInterrupt, SystemExit)."""


def test_interrupt_while_persisting_keeps_rotated_pair() -> None:
    store = FlakyStore()
    rig = Rig(store)
    rig.clock.advance(400)
    store.fail_puts.extend([None, Crash()])
    with pytest.raises(Crash):
        rig.session.get_access_token()
    assert rig.stored().refresh_token == rig.first.refresh_token  # old state stored...
    assert rig.session.load() == rig.stored()  # ...and the unsaved pair is never handed out
    (issued,) = rig.server.live
    token = rig.session.get_access_token()
    assert rig.stored().refresh_token == issued
    assert rig.stored().access_token == token
    assert rig.server.calls == [rig.first.refresh_token]


def test_failed_claim_sends_nothing_to_the_server() -> None:
    store = FlakyStore()
    rig = Rig(store)
    rig.clock.advance(400)
    store.fail_puts.append(OSError("read-only"))
    with pytest.raises(errors.SessionStoreError, match="write"):
        rig.session.get_access_token()
    assert rig.server.calls == []
    store.fail_gets = 1
    with pytest.raises(errors.SessionStoreError, match="read"):
        rig.session.get_access_token()


def test_sign_in_during_refresh_wins_over_the_refreshed_pair() -> None:
    rig = Rig()
    gate = threading.Event()
    rig.refresher.gate = gate
    rig.clock.advance(400)
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(rig.session.get_access_token()))
    worker.start()
    wait_until(lambda: rig.stored().lease is not None)
    relogin = rig.server.issue()
    rig.session.establish(relogin)  # the user signed in again meanwhile
    gate.set()
    worker.join(10)
    assert result == [relogin.access_token]
    assert rig.stored().refresh_token == relogin.refresh_token


def test_foreign_lease_is_waited_for_then_taken_over(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig(lease_poll_interval=1.0)
    rig.clock.advance(250)
    got = rig.store.get("sess-1")
    assert got is not None
    rig.store.put("sess-1", got.record.with_lease(Lease("other-process", rig.clock.now + 53)))
    assert rig.session.get_access_token() == rig.first.access_token  # still valid: served, no waiting
    assert rig.clock.slept == []
    rig.clock.advance(51)  # access token expired; the other holder's lease runs 2 s longer
    with caplog.at_level(logging.WARNING, logger="scalekit_py.sessions"):
        token = rig.session.get_access_token()
    assert rig.clock.slept == [1.0, 1.0]  # polled until the lease was abandoned, then took over
    assert token == rig.stored().access_token
    assert "taking over" in caplog.text
    assert rig.server.calls == [rig.first.refresh_token]


def test_valid_token_does_not_queue_behind_a_slow_refresh() -> None:
    rig = Rig()
    gate = threading.Event()
    rig.refresher.gate = gate
    rig.clock.advance(250)
    leader = threading.Thread(target=rig.session.refresh)
    leader.start()
    wait_until(lambda: rig.stored().lease is not None)
    assert rig.session.get_access_token() == rig.first.access_token  # refresh in flight; served at once
    gate.set()
    leader.join(10)
    assert rig.session.get_access_token() != rig.first.access_token


def test_waiting_for_a_slow_refresh_times_out() -> None:
    rig = Rig(queue_timeout=0.2)
    gate = threading.Event()
    rig.refresher.gate = gate
    rig.clock.advance(400)
    leader = threading.Thread(target=rig.session.get_access_token)
    leader.start()
    wait_until(lambda: rig.stored().lease is not None)
    with pytest.raises(errors.SessionTimeoutError, match="took too long"):
        rig.session.get_access_token()
    gate.set()
    leader.join(10)
    assert len(rig.server.calls) == 1


def test_sessions_side_by_side_over_one_store() -> None:
    rig = Rig()
    other = rig.session.with_session_id("sess-2")
    second = rig.server.issue()
    other.establish(second)
    rig.clock.advance(400)
    assert other.get_access_token() != second.access_token
    assert rig.server.calls == [second.refresh_token]
    assert rig.session.load() is not None
    assert rig.session.load().refresh_token == rig.first.refresh_token  # type: ignore[union-attr]
    assert other.clear() is True
    assert other.load() is None
    assert rig.session.load() is not None


def test_listener_errors_do_not_break_the_session(caplog: pytest.LogCaptureFixture) -> None:
    def explode(event: object) -> None:
        raise RuntimeError("listener bug")

    rig = Rig(on_event=explode)
    rig.clock.advance(400)
    with caplog.at_level(logging.ERROR, logger="scalekit_py.sessions"):
        assert rig.session.get_access_token() == rig.stored().access_token
    assert "listener failed" in caplog.text


def test_tokens_never_in_repr_logs_errors_or_events(caplog: pytest.LogCaptureFixture) -> None:
    store = FlakyStore()
    with caplog.at_level(logging.DEBUG):
        rig = Rig(store)
        rig.clock.advance(400)
        rig.server.fail_next(errors.ServerError("boom"))
        rig.session.get_access_token()
        store.fail_puts.extend([None, OSError("disk full")])
        rig.clock.advance(400)
        with pytest.raises(errors.SessionStoreError) as info:
            rig.session.get_access_token()
        rig.session.get_access_token()
        rig.server.live.clear()
        rig.clock.advance(400)
        with pytest.raises(errors.SessionExpiredError) as expired:
            rig.session.get_access_token()
    texts = [
        caplog.text,
        repr(rig.session),
        repr(rig.store),
        repr(rig.refresher.server.issue()),
        str(info.value),
        repr(info.value),
        str(expired.value),
        *(repr(e) for e in rig.events.items),
    ]
    assert "secretvalue" not in "".join(texts)  # every token the fake server issues contains it
    assert "sha256:" in caplog.text  # fingerprints are what the logs show


def test_configuration_is_validated() -> None:
    store = InMemoryTokenStore()
    server = FakeTokenServer()
    with pytest.raises(errors.ConfigurationError, match="refresh_margin"):
        AuthorizationSession("s", store=store, refresher=SyncRefresher(server), refresh_margin=-1)
    with pytest.raises(errors.ConfigurationError, match="session_id"):
        AuthorizationSession("", store=store, refresher=SyncRefresher(server))

    class NoPut:
        def get(self, key: str) -> None:
            return None

    with pytest.raises(errors.ConfigurationError, match="put"):
        AuthorizationSession("s", store=NoPut(), refresher=SyncRefresher(server))  # type: ignore[arg-type]

    class AsyncOnly:
        async def refresh(self, refresh_token: str) -> TokenSet:
            raise NotImplementedError

    with pytest.raises(TypeError, match="async"):
        AuthorizationSession("s", store=store, refresher=AsyncOnly())  # type: ignore[arg-type]


def test_oauth_client_is_adapted_as_refresher() -> None:
    class OAuthLike:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def refresh_access_token(self, refresh_token: str) -> object:
            self.seen.append(refresh_token)

            @dataclasses.dataclass
            class TokenResponse:
                access_token: str = "at-new"
                refresh_token: str | None = "rt-new"
                expires_in: int | None = 60
                id_token: str | None = None
                scope: str | None = "openid offline_access"

            return TokenResponse()

    oauth = OAuthLike()
    assert isinstance(OAuthRefresher(oauth).refresh("rt-0"), TokenSet)
    session = AuthorizationSession("s", store=InMemoryTokenStore(), refresher=oauth)
    session.establish(TokenSet("at-0", "rt-0", expires_in=0))
    assert session.get_access_token() == "at-new"
    assert oauth.seen == ["rt-0", "rt-0"]
    assert session.load().scope == "openid offline_access"  # type: ignore[union-attr]
