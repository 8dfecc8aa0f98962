"""The emulator's storage under concurrent clients, and no partial writes when a request fails."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from scalekit_api.v1.commons import commons_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py import ConflictError, NotFoundError, ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.store import Store, decode_page_token


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


def _client(emu: Emulator) -> ScalekitClient:
    return ScalekitClient(emu.env_url, emu.client_id, emu.client_secret)


def test_concurrent_creates_all_land_with_unique_ids(emu: Emulator) -> None:
    tag = uuid.uuid4().hex[:8]
    with _client(emu) as client, ThreadPoolExecutor(16) as pool:
        orgs = list(pool.map(lambda i: client.organization.create_organization(f"{tag}-{i}"), range(64)))
        assert len({o.id for o in orgs}) == 64
        listed = [
            o for o in client.organization.iter_organizations(page_size=100) if o.display_name.startswith(tag)
        ]
    assert sorted(o.display_name for o in listed) == sorted(f"{tag}-{i}" for i in range(64))


def test_racing_duplicates_yield_exactly_one_winner(emu: Emulator) -> None:
    external_id = f"race-{uuid.uuid4().hex[:8]}"
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        with _client(emu) as client:
            client.organization.list_organizations(page_size=1)  # warm the token and channel first
            barrier.wait(10)
            try:
                client.organization.create_organization(f"racer {i}", external_id=external_id)
                result = "created"
            except ConflictError:
                result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict"] * 7 + ["created"]


def test_a_failed_request_writes_nothing(emu: Emulator) -> None:
    email = f"partial-{uuid.uuid4().hex[:8]}@example.com"
    assert emu.seeded is not None
    user = users_pb2.CreateUser(
        email=email,
        membership=users_pb2.CreateMembership(roles=[commons_pb2.Role(name="no-such-role")]),
    )
    with _client(emu) as client:
        with pytest.raises(NotFoundError):
            client.user.create_user_and_membership(emu.seeded.organization_id, user=user)
        # The user row was never committed: the email is still free and unknown.
        emails = [u.email for u in client.user.iter_users(page_size=100)]
    assert email not in emails
    with emu.state.store.transaction() as tx:
        assert tx.find("user", "email", email, users_pb2.User) is None


def test_store_transaction_rolls_back_on_error() -> None:
    store = Store(None)
    org = organizations_pb2.Organization(id="org_1", display_name="one")

    def failing_write() -> None:
        with store.transaction() as tx:
            tx.insert("organization", org.id, org, unique={"external_id": "x"})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_write()
    with store.transaction() as tx:
        assert tx.get("organization", "org_1", organizations_pb2.Organization) is None
        assert tx.find("organization", "external_id", "x", organizations_pb2.Organization) is None
    store.close()


def test_m2m_token_source_for_another_client(emu: Emulator) -> None:
    """The public client-credentials token source works for other clients' credentials, single-flight."""
    from scalekit_py import ClientCredentialsTokenSource

    client_id, secret = f"m2m_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    emu.add_client(client_id, secret)
    before = emu.counters.token_requests("client_credentials", 200)
    with ClientCredentialsTokenSource(f"{emu.env_url}/oauth/token", client_id, secret) as source:
        with ThreadPoolExecutor(16) as pool:
            tokens = set(pool.map(lambda _: source.get_token(), range(64)))
        assert len(tokens) == 1
        assert secret not in repr(source)
    assert emu.counters.token_requests("client_credentials", 200) - before == 1


def test_sql_paging_matches_filtered_paging() -> None:
    store = Store(None)
    with store.transaction() as tx:
        for i in range(25):
            org = organizations_pb2.Organization(id=f"org_{i:02d}", display_name=str(i))
            tx.insert("organization", org.id, org)

    def walk(
        where: Callable[[organizations_pb2.Organization], bool] | None = None,
    ) -> list[tuple[list[str], int, int, int]]:
        out: list[tuple[list[str], int, int, int]] = []
        token = ""
        with store.transaction() as tx:
            while True:
                page = tx.page(
                    "organization",
                    organizations_pb2.Organization,
                    page_size=10,
                    page_token=token,
                    where=where,
                )
                ids = [m.id for m in page.items if isinstance(m, organizations_pb2.Organization)]
                nxt, prev = (
                    decode_page_token(t).after if t else -1
                    for t in (page.next_page_token, page.prev_page_token)
                )
                out.append((ids, nxt, prev, page.total_size))
                if not page.next_page_token:
                    return out
                token = page.next_page_token

    fast, slow = walk(), walk(lambda m: True)
    assert fast == slow
    assert [len(ids) for ids, *_ in fast] == [10, 10, 5]
    assert {total for *_, total in fast} == {25}
    store.close()


def test_unfiltered_paging_uses_an_index_not_a_sort() -> None:
    # ListUsers pages all documents of a kind by seq: without an index on (kind, seq) SQLite sorts every
    # row of the kind for every page, so page time grows with the store.
    store = Store()
    try:
        conn = store._conn
        plans = [
            " ".join(str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
            for sql, args in [
                (
                    "SELECT seq, data FROM docs WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?",
                    ("user", 0, 11),
                ),
                (
                    "SELECT seq FROM docs WHERE kind = ? AND seq <= ? ORDER BY seq DESC LIMIT ?",
                    ("user", 0, 11),
                ),
            ]
        ]
        for plan in plans:
            assert "TEMP B-TREE" not in plan, plan
            assert "docs_by_kind" in plan, plan
    finally:
        store.close()


@pytest.mark.parametrize("filtered", [False, True])
def test_newest_first_pages_forward_and_back(filtered: bool) -> None:
    from scalekit_api.v1.organizations.organizations_pb2 import Organization
    from scalekit_py.emulator.store import Store

    store = Store()
    try:
        with store.transaction() as tx:
            for i in range(7):
                tx.insert("o", f"o{i}", Organization(id=f"o{i}", display_name=f"{i % 2}"))
        where = (lambda o: True) if filtered else None
        pages: list[list[str]] = []
        prevs: list[str] = []
        token = ""
        while True:
            with store.transaction() as tx:
                page = tx.page(
                    "o", Organization, page_size=3, page_token=token, where=where, newest_first=True
                )
            pages.append([o.id for o in page.items])  # type: ignore[attr-defined]
            prevs.append(page.prev_page_token)
            token = page.next_page_token
            if not token:
                break
        assert pages == [["o6", "o5", "o4"], ["o3", "o2", "o1"], ["o0"]]
        with store.transaction() as tx:
            back = tx.page(
                "o", Organization, page_size=3, page_token=prevs[2], where=where, newest_first=True
            )
        assert [o.id for o in back.items] == ["o3", "o2", "o1"]  # type: ignore[attr-defined]
        assert page.total_size == 7
    finally:
        store.close()
