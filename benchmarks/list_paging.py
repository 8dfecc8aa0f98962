"""Page time of the emulator's list RPCs as the store grows: 1k, 10k and 50k documents per list.

Why: a list RPC must cost O(page), not O(store) (issue 12, item 12). Every filtered listing pages on the
store's list index (``tags (kind, tag, seq)``, see ``scalekit_py/emulator/store_index.py``); before it,
``ListOrganizationUsers`` and the searches decoded and filtered every document in Python per page.

What it does, in one run: starts an in-process emulator per size, writes straight into its store ``size``
users (see ``_support/emulator.py``: every user is a member of the seeded organization), ``size`` users
of one directory (half of them in one group), ``size`` sessions of one user and ``size`` organizations,
then times ``--pages`` consecutive pages (``page_size=100``, or the RPC's maximum of 30, following
``next_page_token``) of each RPC through a raw gRPC stub on one channel and prints the median page time and
its ratio to the first size's median.

Run: ``python benchmarks/list_paging.py [--sizes 1000,10000,50000] [--pages 15]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import grpc
from _support.emulator import lift_request_cap, seed_users

from scalekit_api.v1.directories import directories_pb2, directories_pb2_grpc
from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_api.v1.sessions import sessions_pb2, sessions_pb2_grpc
from scalekit_api.v1.users import users_pb2, users_pb2_grpc
from scalekit_py.emulator import Emulator


def _p50(call: Callable[..., Any], request: Any, pages: int, metadata: tuple[tuple[str, str], ...]) -> float:
    times = []
    for _ in range(pages):
        started = time.perf_counter()
        reply = call(request, metadata=metadata, timeout=120)
        times.append(time.perf_counter() - started)
        if not reply.next_page_token:
            break
        request.page_token = reply.next_page_token
    return statistics.median(times) * 1000


def _seed_directory(emu: Emulator, channel: grpc.Channel, meta: Any, count: int) -> tuple[str, str, str]:
    """A directory of the seeded organization with ``count`` users, every other one in one group."""
    assert emu.seeded is not None
    org_id = emu.seeded.organization_id
    stub = directories_pb2_grpc.DirectoryServiceStub(channel)
    spec = directories_pb2.CreateDirectory(directory_type=directories_pb2.SCIM)
    request = directories_pb2.CreateDirectoryRequest(organization_id=org_id, directory=spec)
    dir_id = stub.CreateDirectory(request, metadata=meta).directory.id
    now = int(time.time())
    group = directories_pb2.DirectoryGroup(id="dirgroup_bench", display_name="Bench")
    group.updated_at.seconds = now
    with emu.state.store.transaction() as tx:
        tx.insert("directory_group", group.id, group, parent=dir_id)
        for i in range(count):
            user = directories_pb2.DirectoryUser(id=f"diruser_{i:09d}", email=f"dir.user{i}@example.com")
            user.updated_at.seconds = now
            if i % 2:
                user.groups.add(id=group.id, display_name=group.display_name)
            tx.insert("directory_user", user.id, user, parent=dir_id)
    return org_id, dir_id, group.id


def _seed_sessions_and_orgs(emu: Emulator, count: int) -> str:
    """``count`` sessions of the first benchmark user (half of them revoked) and ``count`` organizations."""
    user_id = f"usr_9{0:016d}"
    now = int(time.time())
    with emu.state.store.transaction() as tx:
        for i in range(count):
            session = sessions_pb2.SessionDetails(
                session_id=f"ses_{i:09d}", user_id=user_id, status="ACTIVE" if i % 2 else "REVOKED"
            )
            session.created_at.seconds = now - i
            session.idle_expires_at.seconds = session.absolute_expires_at.seconds = now + 86_400
            tx.insert("session", session.session_id, session, parent=user_id)
            org = organizations_pb2.Organization(id=f"org_9{i:016d}", display_name=f"Bench Org {i}")
            org.external_id = f"bench-org-{i}"
            tx.insert("organization", org.id, org, unique={"external_id": org.external_id})
    return user_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--pages", type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lift_request_cap()
    base: dict[str, float] = {}
    print(f"{'size':>7} {'RPC':<40} {'page p50 ms':>12} {'x first':>8}")
    for size in sizes:
        with Emulator() as emu, grpc.insecure_channel(emu.grpc_target) as channel:
            assert emu.seeded is not None
            seed_users(emu, size)
            meta = (("authorization", f"Bearer {emu.access_token()}"),)
            org_id, dir_id, group_id = _seed_directory(emu, channel, meta, size)
            user_id = _seed_sessions_and_orgs(emu, size)
            users = users_pb2_grpc.UserServiceStub(channel)
            orgs = organizations_pb2_grpc.OrganizationServiceStub(channel)
            dirs = directories_pb2_grpc.DirectoryServiceStub(channel)
            sessions = sessions_pb2_grpc.SessionServiceStub(channel)
            org_users = users_pb2.ListOrganizationUsersRequest(organization_id=org_id)
            org_users.page_size = 100
            cases: dict[str, tuple[Callable[..., Any], Any]] = {
                "ListUsers": (users.ListUsers, users_pb2.ListUsersRequest(page_size=100)),
                "ListOrganizationUsers": (users.ListOrganizationUsers, org_users),
                "SearchUsers (query 'bench')": (
                    users.SearchUsers,
                    users_pb2.SearchUsersRequest(query="bench", page_size=30),
                ),
                "SearchOrganizationUsers ('user 1')": (
                    users.SearchOrganizationUsers,
                    users_pb2.SearchOrganizationUsersRequest(
                        organization_id=org_id, query="user 1", page_size=30
                    ),
                ),
                "ListOrganization": (
                    orgs.ListOrganization,
                    organizations_pb2.ListOrganizationsRequest(page_size=100),
                ),
                "SearchOrganization ('bench org')": (
                    orgs.SearchOrganization,
                    organizations_pb2.SearchOrganizationsRequest(query="bench org", page_size=30),
                ),
                "ListDirectoryUsers (one group)": (
                    dirs.ListDirectoryUsers,
                    directories_pb2.ListDirectoryUsersRequest(
                        organization_id=org_id, directory_id=dir_id, directory_group_id=group_id, page_size=30
                    ),
                ),
                "GetUserSessions (status ACTIVE)": (
                    sessions.GetUserSessions,
                    sessions_pb2.UserSessionDetailsRequest(
                        user_id=user_id,
                        page_size=100,
                        filter=sessions_pb2.UserSessionFilter(status=["ACTIVE"]),
                    ),
                ),
            }
            rows = {name: _p50(call, request, args.pages, meta) for name, (call, request) in cases.items()}
        for name, ms in rows.items():
            base.setdefault(name, ms)
            print(f"{size:>7} {name:<40} {ms:>12.2f} {ms / base[name]:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
