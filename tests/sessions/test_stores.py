"""Token stores: the compare-and-set contract (both stores), atomic files, several processes."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from scalekit_py.errors import SessionConflictError
from scalekit_py.sessions import (
    AuthorizationSession,
    FileTokenStore,
    InMemoryTokenStore,
    SessionRecord,
    TokenStore,
)
from tests.sessions.fakes import FakeTokenServer, SyncRefresher
from tests.sessions.sqlite_store import SqliteTokenStore

REC = SessionRecord(
    access_token="at-secret", access_expires_at=2e9, issued_at=1.7e9, refresh_token="rt-secret"
)


@pytest.fixture(params=["memory", "file", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> TokenStore:
    if request.param == "memory":
        return InMemoryTokenStore()
    if request.param == "sqlite":  # the SQL recipe of docs/sessions.md
        return SqliteTokenStore(str(tmp_path / "sessions.db"))
    return FileTokenStore(tmp_path / "sessions", fsync=False)


def test_put_get_round_trip(store: TokenStore) -> None:
    assert store.get("s1") is None
    version = store.put("s1", REC)
    got = store.get("s1")
    assert got is not None
    assert got.record == REC
    assert got.version == version
    assert store.get("s2") is None


def test_compare_and_set(store: TokenStore) -> None:
    v1 = store.put("s1", REC)
    newer = dataclasses.replace(REC, generation=1)
    v2 = store.put("s1", newer, expected_version=v1)
    assert v2 != v1
    with pytest.raises(SessionConflictError):
        store.put("s1", dataclasses.replace(REC, generation=9), expected_version=v1)  # stale writer loses
    got = store.get("s1")
    assert got is not None
    assert (got.record.generation, got.version) == (1, v2)
    with pytest.raises(SessionConflictError):
        store.put("absent", REC, expected_version=v2)
    assert store.get("absent") is None


def test_delete_with_and_without_version(store: TokenStore) -> None:
    v1 = store.put("s1", REC)
    with pytest.raises(SessionConflictError):
        store.delete("s1", expected_version="not-" + v1)
    assert store.get("s1") is not None
    assert store.delete("s1", expected_version=v1) is True
    assert store.delete("s1") is False
    assert store.get("s1") is None


def test_versions_never_repeat_across_delete(store: TokenStore) -> None:
    seen = set()
    for _ in range(5):
        version = store.put("s1", REC)
        assert version not in seen
        seen.add(version)
        store.delete("s1")
    v_last = store.put("s1", REC)
    with pytest.raises(SessionConflictError):  # an old version must not match a recreated session
        store.put("s1", REC, expected_version=next(iter(seen)))
    assert store.get("s1") is not None
    assert store.get("s1").version == v_last  # type: ignore[union-attr]


def test_a_session_over_each_store_refreshes_and_ends(store: TokenStore) -> None:
    server = FakeTokenServer()
    session = AuthorizationSession("s1", store=store, refresher=SyncRefresher(server))
    first = server.issue()
    session.establish(first, requested_at=0.0)  # long expired
    token = session.get_access_token()
    got = store.get("s1")
    assert got is not None
    assert got.record.access_token == token != first.access_token
    assert got.record.lease is None
    assert server.calls == [first.refresh_token]
    assert session.clear() is True
    assert store.get("s1") is None


def test_file_store_permissions_and_no_leftovers(tmp_path: Path) -> None:
    directory = tmp_path / "sessions"
    store = FileTokenStore(directory)
    store.put("user/../../etc/passwd", REC)
    files = sorted(p.name for p in directory.iterdir())
    assert len(files) == 2  # the record and its lock file, both inside the directory
    assert {Path(f).suffix for f in files} == {".json", ".lock"}
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name in files:
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
    assert not any(name.startswith(".tmp-") for name in files)


def test_file_store_failed_write_keeps_old_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileTokenStore(tmp_path, fsync=False)
    v1 = store.put("s1", REC)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.put("s1", dataclasses.replace(REC, generation=7), expected_version=v1)
    monkeypatch.undo()
    got = store.get("s1")
    assert got is not None
    assert (got.record, got.version) == (REC, v1)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_file_store_instances_share_the_directory(tmp_path: Path) -> None:
    a, b = FileTokenStore(tmp_path, fsync=False), FileTokenStore(tmp_path, fsync=False)
    v1 = a.put("s1", REC)
    got = b.get("s1")
    assert got is not None
    assert got.version == v1
    b.put("s1", dataclasses.replace(REC, generation=2), expected_version=v1)
    with pytest.raises(SessionConflictError):
        a.put("s1", REC, expected_version=v1)


def test_file_store_rejects_corrupt_file(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path, fsync=False)
    store.put("s1", REC)
    (data,) = tmp_path.glob("*.json")
    data.write_text("{not json")
    with pytest.raises(ValueError):  # noqa: PT011 - json's own message
        store.get("s1")
    assert store.delete("s1") is True  # an unconditional delete still clears it


def _increment(directory: str, rounds: int, start: multiprocessing.synchronize.Event) -> None:
    store = FileTokenStore(directory, fsync=False)
    start.wait(10)
    for _ in range(rounds):
        while True:
            cur = store.get("counter")
            assert cur is not None
            nxt = dataclasses.replace(cur.record, generation=cur.record.generation + 1)
            try:
                store.put("counter", nxt, expected_version=cur.version)
                break
            except SessionConflictError:
                continue


def test_file_store_compare_and_set_across_processes(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path, fsync=False)
    store.put("counter", REC)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_increment, args=(str(tmp_path), 40, start)) for _ in range(3)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    got = store.get("counter")
    assert got is not None
    assert got.record.generation == 120  # no increment lost to a concurrent writer
