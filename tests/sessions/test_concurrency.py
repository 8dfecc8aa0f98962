"""One refresh per session id across threads, asyncio tasks and processes."""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.synchronize
import os
import threading
from pathlib import Path

from scalekit_py.sessions import (
    AsyncAuthorizationSession,
    AuthorizationSession,
    FileTokenStore,
    InMemoryTokenStore,
    TokenSet,
)
from tests.sessions.fakes import AsyncRefresher, FakeTokenServer, SyncRefresher


def test_32_threads_and_500_tasks_at_expiry_make_one_refresh() -> None:
    server = FakeTokenServer(expires_in=300)
    store = InMemoryTokenStore()
    sync_session = AuthorizationSession("sess-1", store=store, refresher=SyncRefresher(server, delay=0.2))
    async_session = AsyncAuthorizationSession(
        "sess-1", store=store, refresher=AsyncRefresher(server, delay=0.2)
    )
    sync_session.establish(server.issue(), requested_at=0.0)  # expired long ago; refresh token still valid

    barrier = threading.Barrier(33)
    thread_tokens: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait(10)
        token = sync_session.get_access_token()
        with lock:
            thread_tokens.append(token)

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for t in threads:
        t.start()

    async def tasks() -> list[str]:
        barrier.wait(10)
        return await asyncio.gather(*(async_session.get_access_token() for _ in range(500)))

    task_tokens = asyncio.run(tasks())
    for t in threads:
        t.join(30)
    record = sync_session.load()
    assert record is not None
    assert len(server.calls) == 1  # exactly one refresh request for 532 callers
    assert len(thread_tokens) == 32
    assert set(thread_tokens) == set(task_tokens) == {record.access_token}
    assert record.generation == 1


# --- several processes over one FileTokenStore -------------------------------------------------------


class ChainServer:
    """A token server shared by processes through a log file: refresh token ``rt-N`` yields ``rt-N+1``.
    Every refresh token presented is appended to the log, so the test sees each one used at most once."""

    def __init__(self, log: str, delay: float) -> None:
        self.log = log
        self.delay = delay

    def refresh(self, refresh_token: str) -> TokenSet:
        fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{refresh_token}\n".encode())
        finally:
            os.close(fd)
        threading.Event().wait(self.delay)
        n = int(refresh_token.rsplit("-", 1)[1]) + 1
        return TokenSet(f"at-{n}", f"rt-{n}", expires_in=3600)


def _contend(
    directory: str, log: str, mode: str, rounds: int, start: multiprocessing.synchronize.Event, out: str
) -> None:
    session = AuthorizationSession(
        "shared",
        store=FileTokenStore(directory, fsync=False),
        refresher=ChainServer(log, 0.05),
        queue_timeout=20,
    )
    start.wait(10)
    tokens = [session.get_access_token() if mode == "get" else session.refresh() for _ in range(rounds)]
    Path(out).write_text("\n".join(tokens))


def _run_processes(tmp_path: Path, mode: str, rounds: int) -> tuple[list[str], list[list[str]]]:
    directory, log = str(tmp_path / "store"), str(tmp_path / "server.log")
    AuthorizationSession("shared", store=FileTokenStore(directory), refresher=ChainServer(log, 0)).establish(
        TokenSet("at-0", "rt-0", expires_in=3600),
        requested_at=0.0,  # expired long ago
    )
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    outs = [str(tmp_path / f"out-{i}") for i in range(2)]
    procs = [ctx.Process(target=_contend, args=(directory, log, mode, rounds, start, out)) for out in outs]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    used = Path(log).read_text().split()
    return used, [Path(out).read_text().split("\n") for out in outs]


def test_two_processes_at_expiry_make_one_refresh(tmp_path: Path) -> None:
    used, results = _run_processes(tmp_path, "get", rounds=1)
    assert used == ["rt-0"]  # one process refreshed; the other waited on its lease and read the result
    assert results == [["at-1"], ["at-1"]]


def test_two_processes_refreshing_repeatedly_never_replay_a_refresh_token(tmp_path: Path) -> None:
    used, results = _run_processes(tmp_path, "refresh", rounds=8)
    assert len(used) == len(set(used))  # no refresh token was ever sent twice
    assert used == [f"rt-{n}" for n in range(len(used))]  # each refresh used the latest rotated token
    assert len(used) == 16  # every forced refresh of both processes happened, one after the other
    final = FileTokenStore(tmp_path / "store").get("shared")
    assert final is not None
    assert final.record.refresh_token == f"rt-{len(used)}"
    assert all(len(r) == 8 for r in results)
