"""Test doubles for the session tests: a rotating token server, sync/async refreshers over it, a fake clock,
a store that fails on demand."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from scalekit_py import errors
from scalekit_py.sessions import InMemoryTokenStore, SessionEvent, SessionRecord, TokenSet, Versioned


class FakeTokenServer:
    """Issues token pairs and rotates refresh tokens like the real service: a refresh token works once;
    presenting a consumed one revokes the whole family (RFC 9700 reuse detection)."""

    def __init__(self, *, expires_in: float = 300, refresh_expires_in: float | None = None) -> None:
        self.expires_in = expires_in
        self.refresh_expires_in = refresh_expires_in
        self.lock = threading.Lock()
        self.calls: list[str] = []  # refresh tokens presented, in order
        self.live: set[str] = set()
        self.consumed: set[str] = set()
        self.failures: deque[BaseException] = deque()
        self.reuse_detected = 0
        self._ids = itertools.count(1)

    def issue(self) -> TokenSet:
        n = next(self._ids)
        pair = TokenSet(
            access_token=f"at-{n}-secretvalue",
            refresh_token=f"rt-{n}-secretvalue",
            expires_in=self.expires_in,
            refresh_expires_in=self.refresh_expires_in,
        )
        assert pair.refresh_token is not None
        with self.lock:
            self.live.add(pair.refresh_token)
        return pair

    def fail_next(self, *excs: BaseException) -> None:
        with self.lock:
            self.failures.extend(excs)

    def refresh(self, refresh_token: str) -> TokenSet:
        with self.lock:
            self.calls.append(refresh_token)
            if self.failures:
                raise self.failures.popleft()
            if refresh_token in self.consumed:
                self.live.clear()
                self.reuse_detected += 1
                raise errors.OAuthError(
                    "invalid_grant: refresh token reuse detected",
                    error="invalid_grant",
                    error_description="refresh token reuse detected; session revoked",
                )
            if refresh_token not in self.live:
                raise errors.OAuthError("invalid_grant", error="invalid_grant")
            self.live.discard(refresh_token)
            self.consumed.add(refresh_token)
        return self.issue()


@dataclass
class SyncRefresher:
    server: FakeTokenServer
    delay: float = 0.0
    gate: threading.Event | None = None

    def refresh(self, refresh_token: str) -> TokenSet:
        if self.gate is not None:
            assert self.gate.wait(10)
        if self.delay:
            time.sleep(self.delay)
        return self.server.refresh(refresh_token)


@dataclass
class AsyncRefresher:
    server: FakeTokenServer
    delay: float = 0.0

    async def refresh(self, refresh_token: str) -> TokenSet:
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.server.refresh(refresh_token)


class FakeClock:
    """A wall clock that only moves when told to (or when the fake sleep is called)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)


class FlakyStore(InMemoryTokenStore):
    """An in-memory store that fails on demand: ``fail_puts`` holds, per coming put, an exception to
    raise (``None``: succeed); ``fail_gets`` counts reads still to fail."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_puts: deque[BaseException | None] = deque()
        self.fail_gets = 0
        self.puts = 0

    def get(self, key: str) -> Versioned | None:
        if self.fail_gets:
            self.fail_gets -= 1
            raise OSError("store unreachable")
        return super().get(key)

    def put(self, key: str, record: SessionRecord, *, expected_version: str | None = None) -> str:
        self.puts += 1
        if self.fail_puts:
            exc = self.fail_puts.popleft()
            if exc is not None:
                raise exc
        return super().put(key, record, expected_version=expected_version)


class Events:
    """Collects session events."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[SessionEvent] = []

    def __call__(self, event: SessionEvent) -> None:
        with self.lock:
            self.items.append(event)

    def kinds(self) -> list[str]:
        with self.lock:
            return [e.kind for e in self.items]


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` (real time) until true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.002)
