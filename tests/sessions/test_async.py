"""AsyncAuthorizationSession: the same guarantees as the sync session, plus cancellation and async stores."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from scalekit_py import errors
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.sessions import (
    AsyncAuthorizationSession,
    FileTokenStore,
    InMemoryTokenStore,
    SessionRecord,
    TokenSet,
    Versioned,
)
from tests.sessions.fakes import AsyncRefresher, Events, FakeClock, FakeTokenServer, FlakyStore

NO_JITTER = RetryPolicy(initial_backoff=1.0, max_backoff=4.0, multiplier=2.0, jitter=0.0)


class AsyncStore:
    """An AsyncTokenStore over an in-memory one, counting calls."""

    def __init__(self) -> None:
        self.inner = InMemoryTokenStore()
        self.calls = 0

    async def get(self, key: str) -> Versioned | None:
        self.calls += 1
        await asyncio.sleep(0)
        return self.inner.get(key)

    async def put(self, key: str, record: SessionRecord, *, expected_version: str | None = None) -> str:
        self.calls += 1
        await asyncio.sleep(0)
        return self.inner.put(key, record, expected_version=expected_version)

    async def delete(self, key: str, *, expected_version: str | None = None) -> bool:
        self.calls += 1
        return self.inner.delete(key, expected_version=expected_version)


class Rig:
    def __init__(self, store: Any = None, *, delay: float = 0.0, **kw: object) -> None:
        self.server = FakeTokenServer(expires_in=300)
        self.clock = FakeClock()
        self.events = Events()
        self.store: Any = store if store is not None else InMemoryTokenStore()
        self.refresher = AsyncRefresher(self.server, delay=delay)
        options: dict[str, Any] = {
            "retry": NO_JITTER,
            "clock": self.clock,
            "sleep": self.clock.async_sleep,
            "on_event": self.events,
        }
        options.update(kw)
        self.session = AsyncAuthorizationSession(
            "sess-1", store=self.store, refresher=self.refresher, **options
        )
        self.first = self.server.issue()

    async def start(self) -> Rig:
        await self.session.establish(self.first)
        return self

    async def stored(self) -> SessionRecord:
        record = await self.session.load()
        assert record is not None
        return record


async def test_refreshes_within_margin_and_serves_fresh_token() -> None:
    rig = await Rig().start()
    assert await rig.session.get_access_token() == rig.first.access_token
    rig.clock.advance(241)
    token = await rig.session.get_access_token()
    assert token != rig.first.access_token
    assert (await rig.stored()).access_token == token
    assert rig.server.calls == [rig.first.refresh_token]
    assert rig.events.kinds() == ["persisted", "refreshed", "persisted"]
    assert await rig.session.refresh() != token
    assert len(rig.server.calls) == 2


async def test_500_tasks_at_expiry_make_one_refresh() -> None:
    rig = await Rig(delay=0.05).start()
    rig.clock.advance(400)
    tokens = await asyncio.gather(*(rig.session.get_access_token() for _ in range(500)))
    assert len(rig.server.calls) == 1
    assert set(tokens) == {(await rig.stored()).access_token}


async def test_cancelling_the_leader_does_not_abandon_the_refresh() -> None:
    rig = await Rig(delay=0.1).start()
    rig.clock.advance(400)
    leader = asyncio.ensure_future(rig.session.get_access_token())
    for _ in range(1000):
        if (await rig.stored()).lease is not None:
            break
        await asyncio.sleep(0.001)
    assert (await rig.stored()).lease is not None  # the refresh is under way
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    token = await rig.session.get_access_token()  # joins the refresh that kept running
    assert len(rig.server.calls) == 1
    assert (await rig.stored()).access_token == token
    assert (await rig.stored()).refresh_token in rig.server.live


async def test_invalid_grant_ends_the_session() -> None:
    rig = await Rig().start()
    rig.server.live.clear()
    rig.clock.advance(400)
    with pytest.raises(errors.SessionExpiredError) as info:
        await rig.session.get_access_token()
    assert info.value.reason == "invalid_grant"
    assert await rig.session.load() is None
    assert "expired" in rig.events.kinds()


async def test_crash_between_refresh_and_persist_loses_no_refresh_token() -> None:
    store = FlakyStore()
    rig = await Rig(store).start()
    rig.clock.advance(400)
    store.fail_puts.extend([None, OSError("disk full")])
    with pytest.raises(errors.SessionStoreError, match="kept in memory"):
        await rig.session.get_access_token()
    assert store.get("sess-1").record.refresh_token == rig.first.refresh_token  # type: ignore[union-attr]
    token = await rig.session.get_access_token()
    stored = store.get("sess-1")
    assert stored is not None
    assert stored.record.access_token == token
    assert stored.record.refresh_token in rig.server.live
    assert rig.server.calls == [rig.first.refresh_token]


async def test_outage_serves_valid_token_then_times_out_when_expired() -> None:
    rig = await Rig(queue_timeout=3.0).start()
    rig.server.fail_next(*[errors.ServiceUnavailableError("down")] * 10)
    rig.clock.advance(250)
    assert await rig.session.get_access_token() == rig.first.access_token
    rig.clock.advance(60)
    with pytest.raises(errors.SessionTimeoutError) as info:
        await rig.session.get_access_token()
    assert isinstance(info.value.__cause__, errors.ServiceUnavailableError)
    assert sum(rig.clock.slept) <= 3.0


async def test_async_store_protocol() -> None:
    store = AsyncStore()
    rig = await Rig(store).start()
    rig.clock.advance(400)
    token = await rig.session.get_access_token()
    got = store.inner.get("sess-1")
    assert got is not None
    assert got.record.access_token == token
    assert store.calls >= 4  # establish, read, claim, save
    assert await rig.session.clear() is True
    assert store.inner.get("sess-1") is None


async def test_blocking_store_runs_off_the_event_loop(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path, fsync=False)
    rig = await Rig(store, delay=0.01).start()
    rig.clock.advance(400)
    tokens = await asyncio.gather(*(rig.session.get_access_token() for _ in range(20)))
    assert len(set(tokens)) == 1
    assert len(rig.server.calls) == 1
    assert FileTokenStore(tmp_path).get("sess-1").record.access_token == tokens[0]  # type: ignore[union-attr]


async def test_rejects_a_sync_refresher() -> None:
    class SyncOnly:
        def refresh(self, refresh_token: str) -> TokenSet:
            raise NotImplementedError

    with pytest.raises(TypeError, match="async"):
        AsyncAuthorizationSession("s", store=InMemoryTokenStore(), refresher=SyncOnly())  # type: ignore[arg-type]
