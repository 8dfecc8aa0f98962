"""Emulators for the benchmarks: in this process, or in a child process so the client is measured alone.

Why a child process: the emulator is Python too. In the benchmark's own process it would share the GIL,
the allocator and the peak RSS with the client being measured. :class:`EmulatorProcess` runs
``scalekit_py.emulator.Emulator`` in a child (this file, run as a script), optionally seeded with many
users, and stops it when the ``with`` block ends (or when the parent dies: the child exits on stdin EOF).

Run as a script it is that child: ``python emulator.py --users N`` prints one JSON line (env URL, seeded
organization id, seeding time) and serves until its stdin closes. The credentials come from the parent
through the environment, so the secret is never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scalekit_py.emulator import Emulator

__all__ = ["EmulatorInfo", "EmulatorProcess", "lift_request_cap", "seed_users"]

_ID_VAR = "SCALEKIT_BENCH_CLIENT_ID"
_SECRET_VAR = "SCALEKIT_BENCH_CLIENT_SECRET"
START_TIMEOUT_S = 60.0


def lift_request_cap() -> None:
    """Let one HTTP/2 connection carry any number of requests.

    hypercorn closes a connection after ``keep_alive_max_requests`` (default 1,000) requests with a GOAWAY
    that fails the request in flight with UNAVAILABLE. The SDK retries that read transparently, a bare stub
    does not, so a benchmark of more than 1,000 calls on one channel would compare a retry with an error.
    The real service keeps gRPC connections open; so does the emulator once this has run (call it before
    the emulator starts; it changes hypercorn's class default for this process).
    """
    import hypercorn.config

    hypercorn.config.Config.keep_alive_max_requests = 2**31


def seed_users(emu: Emulator, count: int, *, batch: int = 2_000) -> float:
    """Write ``count`` users straight into the emulator's store, as ``CreateUserAndMembership`` would.

    Each is a ``scalekit.v1.users.User`` document of kind ``"user"`` (unique keys ``email`` and
    ``external_id``, see ``scalekit_py/emulator/state.py``) with a profile, metadata and an active membership
    in the seeded organization with role ``member``. Ids are sequential so the list order is the id order.

    Args:
        emu: a started emulator with its seed.
        count: users to add.
        batch: users per transaction.

    Returns:
        Seconds it took.
    """
    from scalekit_api.v1.commons import commons_pb2
    from scalekit_api.v1.users import users_pb2

    assert emu.seeded is not None, "the emulator was started without its seed"
    org_id = emu.seeded.organization_id
    started = time.perf_counter()
    template = users_pb2.User(environment_id=emu.state.environment_id, metadata={"source": "benchmark"})
    now = int(time.time())
    template.create_time.seconds = template.update_time.seconds = now
    template.memberships.add(
        organization_id=org_id,
        membership_status=commons_pb2.ACTIVE,
        roles=[commons_pb2.Role(name="member", display_name="Member")],
        name="Acme Inc",
        display_name="Acme Inc",
    ).join_time.seconds = now
    for first in range(0, count, batch):
        with emu.state.store.transaction() as tx:
            for i in range(first, min(first + batch, count)):
                user = users_pb2.User()
                user.CopyFrom(template)
                user.id = f"usr_9{i:016d}"
                user.email = f"bench.user{i}@example.com"
                user.external_id = f"bench-{i}"
                profile = user.user_profile
                profile.id = f"usp_9{i:016d}"
                profile.given_name, profile.family_name = "Bench", f"User {i}"
                profile.name = f"Bench User {i}"
                profile.email_verified = True
                tx.insert(
                    "user", user.id, user, unique={"email": user.email, "external_id": user.external_id}
                )
    return time.perf_counter() - started


@dataclass(frozen=True)
class EmulatorInfo:
    """Where a child emulator listens and what it holds.

    Attributes:
        env_url: ``http://127.0.0.1:<port>``.
        client_id, client_secret: the admin client's credentials.
        organization_id: the seeded organization.
        users: users seeded on top of the emulator's own seed.
        seed_seconds: time taken to write them.
        pid: the child's process id.
    """

    env_url: str
    client_id: str
    client_secret: str
    organization_id: str
    users: int
    seed_seconds: float
    pid: int

    @property
    def grpc_target(self) -> str:
        """``host:port`` for a bare gRPC channel."""
        return self.env_url.split("://", 1)[1]

    def __repr__(self) -> str:
        return f"EmulatorInfo(env_url={self.env_url!r}, users={self.users}, pid={self.pid})"


class EmulatorProcess:
    """Context manager running a seeded emulator in a child process on a free 127.0.0.1 port.

    Args:
        users: users to add to the seed (see :func:`seed_users`).
    """

    def __init__(self, users: int = 0) -> None:
        self.users = users
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> EmulatorInfo:
        client_id = f"skc_bench{secrets.randbelow(10**9):09d}"
        client_secret = f"test_{secrets.token_urlsafe(24)}"
        env = {**os.environ, _ID_VAR: client_id, _SECRET_VAR: client_secret}
        self._proc = proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--users", str(self.users)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT_S)
        line = proc.stdout.readline() if ready else ""
        if not line:
            self._stop()
            raise RuntimeError("the emulator child did not start (see its stderr above)")
        info = json.loads(line)
        return EmulatorInfo(
            env_url=info["env_url"],
            client_id=client_id,
            client_secret=client_secret,
            organization_id=info["organization_id"],
            users=self.users,
            seed_seconds=info["seed_seconds"],
            pid=proc.pid,
        )

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # the child's signal to stop
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop()


def _serve(argv: list[str] | None = None) -> int:
    """The child: start, seed, print the JSON line, serve until stdin closes."""
    parser = argparse.ArgumentParser(description="benchmark emulator child (started by EmulatorProcess)")
    parser.add_argument("--users", type=int, default=0)
    args = parser.parse_args(argv)
    from scalekit_py.emulator import Emulator

    lift_request_cap()
    with Emulator(os.environ[_ID_VAR], os.environ[_SECRET_VAR]) as emu:
        assert emu.seeded is not None
        seconds = seed_users(emu, args.users) if args.users else 0.0
        ready = {
            "env_url": emu.env_url,
            "organization_id": emu.seeded.organization_id,
            "seed_seconds": seconds,
        }
        print(json.dumps(ready), flush=True)
        sys.stdin.read()  # EOF: the parent is done (or gone)
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
