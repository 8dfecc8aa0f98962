"""RedisTokenStore / AsyncRedisTokenStore against a real redis-server: the store contract, TTLs, prefixes,
auth, two OS processes refreshing one session at the emulator, and a Redis restart mid-refresh."""

from __future__ import annotations

import dataclasses
import multiprocessing
import multiprocessing.synchronize
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis

from scalekit_py import errors
from scalekit_py.emulator import Emulator
from scalekit_py.oauth import OAuthClient
from scalekit_py.sessions import (
    AsyncAuthorizationSession,
    AsyncRedisTokenStore,
    AuthorizationSession,
    RedisTokenStore,
    SessionRecord,
    TokenSet,
)
from scalekit_py.sessions.redis import ttl_ms
from tests.sessions.fakes import AsyncRefresher, FakeTokenServer, SyncRefresher
from tests.sessions.test_emulator_e2e import sign_in
from tests.support.redis_server import RedisServer

REC = SessionRecord(
    access_token="at-secret", access_expires_at=2e9, issued_at=1.7e9, refresh_token="rt-secret"
)
TTL = 600


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    srv = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield srv
    srv.stop()


@pytest.fixture
def store(server: RedisServer, request: pytest.FixtureRequest) -> Iterator[RedisTokenStore]:
    st = RedisTokenStore(server.url, prefix=f"t:{request.node.name}:")
    yield st
    st.close()


def test_round_trip_compare_and_set_and_delete(store: RedisTokenStore) -> None:
    assert store.get("s1") is None
    v1 = store.put("s1", REC)
    got = store.get("s1")
    assert got is not None
    assert (got.record, got.version) == (REC, v1)
    v2 = store.put("s1", dataclasses.replace(REC, generation=1), expected_version=v1)
    with pytest.raises(errors.SessionConflictError):
        store.put("s1", dataclasses.replace(REC, generation=9), expected_version=v1)  # stale writer loses
    with pytest.raises(errors.SessionConflictError):
        store.put("absent", REC, expected_version=v2)
    assert store.get("absent") is None
    with pytest.raises(errors.SessionConflictError):
        store.delete("s1", expected_version=v1)
    got = store.get("s1")
    assert got is not None
    assert (got.record.generation, got.version) == (1, v2)
    assert store.delete("s1", expected_version=v2) is True
    assert store.delete("s1") is False
    assert store.delete("s1", expected_version=v2) is False


def test_versions_never_repeat_across_delete(store: RedisTokenStore) -> None:
    seen = set()
    for _ in range(5):
        version = store.put("s1", REC)
        assert version not in seen
        seen.add(version)
        store.delete("s1")


def test_keys_have_the_prefix_and_a_ttl(server: RedisServer) -> None:
    store = RedisTokenStore(server.url, prefix="app-a:", default_ttl=120)
    other = RedisTokenStore(server.url, prefix="app-b:")
    raw = redis.Redis.from_url(server.url)
    try:
        store.put("k", REC)  # refresh expiry unknown: default_ttl
        assert raw.exists("app-a:k") == 1
        assert 110_000 < raw.pttl("app-a:k") <= 120_000
        assert other.get("k") is None  # prefixes separate applications
        now = time.time()
        store.put("k", dataclasses.replace(REC, refresh_expires_at=now + 50))
        assert 50_000 < raw.pttl("app-a:k") <= 350_000  # refresh expiry plus the default 300 s grace
        assert raw.hget("app-a:k", "r") is not None
    finally:
        raw.close()
        store.close()
        other.close()


def test_ttl_decision() -> None:
    rec = dataclasses.replace(REC, refresh_expires_at=1000.0)
    assert ttl_ms(rec, now=900.0, default_ttl=60, grace=10) == 110_000
    assert ttl_ms(dataclasses.replace(REC), now=0.0, default_ttl=60, grace=10) == 60_000
    no_refresh = dataclasses.replace(REC, refresh_token=None, access_expires_at=20.0)
    assert ttl_ms(no_refresh, now=0.0, default_ttl=60, grace=10) == 30_000
    assert ttl_ms(rec, now=5000.0, default_ttl=60, grace=10) == 1000  # expired: gone in a second


def test_expired_key_disappears(server: RedisServer) -> None:
    store = RedisTokenStore(server.url, prefix="exp:", grace=0)
    raw = redis.Redis.from_url(server.url)
    try:
        store.put("gone", dataclasses.replace(REC, refresh_expires_at=time.time() - 10))
        raw.pexpire("exp:gone", 1)  # ttl_ms keeps at least a second; shorten it rather than wait
        deadline = time.monotonic() + 5
        while store.get("gone") is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert store.get("gone") is None
    finally:
        raw.close()
        store.close()


def test_garbage_in_redis_is_a_typed_error(store: RedisTokenStore, server: RedisServer) -> None:
    raw = redis.Redis.from_url(server.url)
    try:
        raw.hset("t:test_garbage_in_redis_is_a_typed_error:bad", mapping={"v": "1", "r": "{not json"})
    finally:
        raw.close()
    with pytest.raises(errors.SessionStoreError):
        store.get("bad")


def test_password_from_the_url_and_no_secret_in_errors(tmp_path: Path) -> None:
    srv = RedisServer(tmp_path, password="s3cret-pass").start()
    try:
        good = RedisTokenStore(srv.url)
        good.put("k", REC)
        assert good.get("k") is not None
        bad = RedisTokenStore(f"redis://:wrong-pass@127.0.0.1:{srv.port}/0")
        with pytest.raises(errors.SessionStoreError) as info:
            bad.get("k")
        assert "wrong-pass" not in str(info.value)
        assert "s3cret" not in repr(good)
        good.close()
        bad.close()
    finally:
        srv.stop()


def test_unreachable_redis_is_a_typed_error() -> None:
    from tests.support.redis_server import free_port

    store = RedisTokenStore(f"redis://127.0.0.1:{free_port()}/0")
    for call in (lambda: store.get("k"), lambda: store.put("k", REC), lambda: store.delete("k")):
        with pytest.raises(errors.SessionStoreError) as info:
            call()
        assert not isinstance(info.value, errors.SessionConflictError)
    store.close()


def test_bad_options_are_configuration_errors() -> None:
    with pytest.raises(errors.ConfigurationError):
        RedisTokenStore("redis://127.0.0.1:1/0", prefix="")
    with pytest.raises(errors.ConfigurationError):
        AsyncRedisTokenStore("redis://127.0.0.1:1/0", default_ttl=0)


# --- asyncio ---------------------------------------------------------------------------------------------


@pytest.fixture
async def astore(server: RedisServer) -> AsyncIterator[AsyncRedisTokenStore]:
    st = AsyncRedisTokenStore(server.url, prefix="async:")
    yield st
    await st.aclose()


async def test_async_store_contract_and_sharing_with_sync(
    astore: AsyncRedisTokenStore, server: RedisServer
) -> None:
    await astore.delete("a1")
    assert await astore.get("a1") is None
    v1 = await astore.put("a1", REC)
    with pytest.raises(errors.SessionConflictError):
        await astore.put("a1", REC, expected_version="other")
    sync = RedisTokenStore(server.url, prefix="async:")
    got = sync.get("a1")  # same keys and format as the sync store
    assert got is not None
    assert got.version == v1
    v2 = sync.put("a1", dataclasses.replace(REC, generation=3), expected_version=v1)
    again = await astore.get("a1")
    assert again is not None
    assert (again.version, again.record.generation) == (v2, 3)
    with pytest.raises(errors.SessionConflictError):
        await astore.delete("a1", expected_version=v1)
    assert await astore.delete("a1", expected_version=v2) is True
    sync.close()


async def test_async_session_refreshes_through_redis(astore: AsyncRedisTokenStore) -> None:
    server = FakeTokenServer(expires_in=300)
    session = AsyncAuthorizationSession("as1", store=astore, refresher=AsyncRefresher(server))
    await session.establish(server.issue(), requested_at=0.0)  # expired long ago
    token = await session.get_access_token()
    assert token == "at-2-secretvalue"
    assert server.calls == ["rt-1-secretvalue"]
    stored = await astore.get("as1")
    assert stored is not None
    assert stored.record.refresh_token == "rt-2-secretvalue"


async def test_async_unreachable_is_a_typed_error() -> None:
    from tests.support.redis_server import free_port

    st = AsyncRedisTokenStore(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(errors.SessionStoreError):
        await st.get("k")
    with pytest.raises(errors.SessionStoreError):
        await st.put("k", REC)
    await st.aclose()


# --- Redis restarting in the middle of a refresh ------------------------------------------------------------


class StopRedisDuringRefresh:
    """Stops the Redis server while the refresh request is in flight (after the lease was claimed)."""

    def __init__(self, server: FakeTokenServer, redis_server: RedisServer) -> None:
        self.server = server
        self.redis_server = redis_server
        self.armed = True

    def refresh(self, refresh_token: str) -> TokenSet:
        if self.armed:
            self.armed = False
            self.redis_server.stop()
        return self.server.refresh(refresh_token)


def test_redis_restart_mid_refresh_loses_no_token(tmp_path: Path) -> None:
    srv = RedisServer(tmp_path, persistent=True).start()
    try:
        tokens = FakeTokenServer(expires_in=300)
        refresher = StopRedisDuringRefresh(tokens, srv)
        store = RedisTokenStore(srv.url)
        session = AuthorizationSession("r1", store=store, refresher=refresher, queue_timeout=5)
        session.establish(tokens.issue(), requested_at=0.0)  # expired long ago
        with pytest.raises(errors.SessionStoreError) as info:
            session.get_access_token()  # refreshed, but Redis went away before the rotated pair was saved
        assert "secretvalue" not in str(info.value)
        assert tokens.calls == ["rt-1-secretvalue"]
        srv.start()  # same port, data from the append-only file
        assert session.get_access_token() == "at-2-secretvalue"  # the pending pair is saved, no new request
        assert tokens.calls == ["rt-1-secretvalue"]
        stored = RedisTokenStore(srv.url).get("r1")
        assert stored is not None
        assert stored.record.refresh_token == "rt-2-secretvalue"
        assert stored.record.lease is None
        store.close()
    finally:
        srv.stop()


def test_redis_down_then_back_serves_the_stored_session(tmp_path: Path) -> None:
    srv = RedisServer(tmp_path, persistent=True).start()
    try:
        tokens = FakeTokenServer(expires_in=300)
        store = RedisTokenStore(srv.url)
        session = AuthorizationSession("r2", store=store, refresher=SyncRefresher(tokens))
        session.establish(tokens.issue())
        srv.stop()
        other = AuthorizationSession("r2", store=store, refresher=SyncRefresher(tokens))
        with pytest.raises(errors.SessionStoreError):
            other.get_access_token()
        srv.start()
        assert other.get_access_token() == "at-1-secretvalue"
        assert tokens.calls == []
        store.close()
    finally:
        srv.stop()


# --- two OS processes, one session, the emulator counting refresh requests ---------------------------------


def _contend(
    url: str,
    env_url: str,
    client_id: str,
    client_secret: str,
    rounds: int,
    barrier: multiprocessing.synchronize.Barrier,
    out: str,
) -> None:
    offset = [0.0]
    with OAuthClient(env_url, client_id, client_secret) as oauth:
        session = AuthorizationSession(
            "shared",
            store=RedisTokenStore(url),
            refresher=oauth,
            queue_timeout=30,
            clock=lambda: time.time() + offset[0],
        )
        tokens = []
        for n in range(1, rounds + 1):
            offset[0] = n * TTL  # every round starts at the previous round's token's expiry
            barrier.wait(30)
            tokens.append(session.get_access_token())
            barrier.wait(30)
    Path(out).write_text("\n".join(tokens))


def test_two_processes_make_one_refresh_request_per_expiry(tmp_path: Path, server: RedisServer) -> None:
    rounds = 3
    with Emulator(token_ttl=TTL) as emu, OAuthClient(emu.env_url, emu.client_id, emu.client_secret) as oauth:
        assert emu.seeded is not None
        login = sign_in(oauth, emu.seeded.admin_email)
        seed = AuthorizationSession("shared", store=RedisTokenStore(server.url), refresher=oauth)
        seed.establish(login)
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(2)
        outs = [str(tmp_path / f"out-{i}") for i in range(2)]
        args = (server.url, emu.env_url, emu.client_id, emu.client_secret, rounds, barrier)
        procs = [ctx.Process(target=_contend, args=(*args, out)) for out in outs]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
            assert p.exitcode == 0
        results = [Path(out).read_text().split("\n") for out in outs]
        assert emu.counters.token_requests("refresh_token") == rounds  # one refresh request per expiry
        assert emu.counters.token_requests("refresh_token", 200) == rounds
        assert results[0] == results[1]  # both processes got the same fresh token in every round
        assert len(set(results[0])) == rounds


def test_importing_the_package_does_not_import_redis() -> None:
    import subprocess
    import sys

    code = "import sys, scalekit_py, scalekit_py.sessions; print('redis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
