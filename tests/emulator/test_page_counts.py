"""A filtered listing counts its matches once: the page tokens carry the count while the list is unchanged.

``total_size`` must stay exact, so every test checks the carried count against a fresh count after the
list changed in each way the stamp covers: a write of the listed kind, a write of a kind the filter reads,
another filter, a restored snapshot, and (API tokens) time passing an expiry.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import grpc
import pytest

from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.tokens import tokens_pb2, tokens_pb2_grpc
from scalekit_api.v1.users import users_pb2
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.store import Match, Page, Store, Tx, decode_page_token


def _user(i: int, *names: str) -> users_pb2.User:
    user = users_pb2.User(id=f"usr_{i:04d}", email=f"user{i}@example.com")
    user.user_profile.given_name = " ".join(names)
    return user


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store()
    with s.transaction() as tx:
        for i in range(30):
            tx.insert("user", f"usr_{i:04d}", _user(i, "even" if i % 2 == 0 else "odd"))
    yield s
    s.close()


def _counts(store: Store) -> list[str]:
    """From now on, the statements that read a whole list (a count: no cursor on the sequence)."""
    seen: list[str] = []

    def trace(sql: str) -> None:
        whole = sql.lstrip().upper().startswith("SELECT") and "t.seq" not in sql and "FROM docs t" in sql
        if whole or "COUNT(" in sql:
            seen.append(sql)

    store._conn.set_trace_callback(trace)
    return seen


def _page(store: Store, token: str = "", *, match: Match) -> Page:
    with store.transaction() as tx:
        return tx.page("user", users_pb2.User, page_size=5, page_token=token, match=match)


SEARCH = Match("", contains="even")


def test_later_pages_reuse_the_count_of_the_first(store: Store) -> None:
    first = _page(store, match=SEARCH)
    assert first.total_size == 15
    assert decode_page_token(first.next_page_token).total == 15
    seen = _counts(store)
    second = _page(store, first.next_page_token, match=SEARCH)
    assert second.total_size == 15
    assert not seen, seen
    assert len(second.items) == 5


def test_a_write_of_the_listed_kind_makes_the_next_page_count_again(store: Store) -> None:
    first = _page(store, match=SEARCH)
    with store.transaction() as tx:
        tx.insert("user", "usr_9999", _user(9999, "even"))
    assert _page(store, first.next_page_token, match=SEARCH).total_size == 16
    with store.transaction() as tx:
        tx.delete("user", "usr_0000")
        tx.delete("user", "usr_0002")
    assert _page(store, first.next_page_token, match=SEARCH).total_size == 14


def test_a_token_of_another_filter_is_counted_afresh(store: Store) -> None:
    first = _page(store, match=SEARCH)
    other = _page(store, first.next_page_token, match=Match("", contains="odd"))
    assert other.total_size == 15
    everyone = _page(store, first.next_page_token, match=Match("", contains="user"))
    assert everyone.total_size == 30


def test_a_forged_count_is_not_believed(store: Store) -> None:
    first = _page(store, match=SEARCH)
    cursor = decode_page_token(first.next_page_token)
    forged = type(cursor)(cursor.after, 999_999, "0" * 16).encode()
    assert _page(store, forged, match=SEARCH).total_size == 15


def test_a_restored_snapshot_makes_old_tokens_count_again(store: Store) -> None:
    snapshot = store.snapshot()
    first = _page(store, match=SEARCH)
    with store.transaction() as tx:  # the same number of writes as after the restore below
        tx.insert("user", "usr_9999", _user(9999, "odd"))
    store.restore(snapshot)
    with store.transaction() as tx:
        tx.insert("user", "usr_9999", _user(9999, "even"))
    assert _page(store, first.next_page_token, match=SEARCH).total_size == 16


def _vip_filter(tx: Tx) -> Callable[[users_pb2.User], bool]:
    return lambda u: tx.get("vip", u.id, users_pb2.User) is not None


def test_a_python_filter_is_stamped_with_the_kinds_it_reads(store: Store) -> None:
    def page(token: str = "") -> Page:
        with store.transaction() as tx:
            return tx.page(
                "user", users_pb2.User, page_size=2, page_token=token,
                where=_vip_filter(tx), key="vip", reads=("vip",),
            )  # fmt: skip

    with store.transaction() as tx:
        for i in range(0, 30, 3):
            tx.insert("vip", f"usr_{i:04d}", users_pb2.User())
    first = page()
    assert first.total_size == 10
    seen = _counts(store)
    assert page(first.next_page_token).total_size == 10
    assert not seen, seen
    with store.transaction() as tx:  # only the looked-up kind changes
        tx.delete("vip", "usr_0000")
    assert page(first.next_page_token).total_size == 9


def test_a_python_filter_without_a_key_counts_every_page(store: Store) -> None:
    with store.transaction() as tx:
        first = tx.page(
            "user", users_pb2.User, page_size=5, where=lambda u: "even" in u.user_profile.given_name
        )
    assert first.total_size == 15
    assert decode_page_token(first.next_page_token).total is None


def test_bad_tokens_are_rejected(store: Store) -> None:
    import base64

    bad = (b"seq:1:2", b"seq:-1", b"seq:1:-5:ab", b"seq:x:1:ab", b"row:1:1:ab", b"seq:99999999999999999999")
    for raw in (*bad, b"seq:1:99999999999999999999:ab"):
        token = base64.urlsafe_b64encode(raw).decode()
        with pytest.raises(ValueError, match="page_token"):
            _page(store, token, match=SEARCH)


# --- an RPC whose filter depends on time: ListTokens counts live (unexpired) tokens ---------------------


@pytest.fixture
def clocked() -> Iterator[tuple[Emulator, list[float]]]:
    now = [time.time()]
    with Emulator() as emu:
        emu.state.clock = lambda: now[0]
        yield emu, now


def test_list_tokens_counts_again_when_a_token_expires(clocked: tuple[Emulator, list[float]]) -> None:
    emu, now = clocked
    assert emu.seeded is not None
    org_id = emu.seeded.organization_id
    with grpc.insecure_channel(emu.grpc_target) as channel:
        meta = (("authorization", f"Bearer {emu.access_token()}"),)
        stub = tokens_pb2_grpc.ApiTokenServiceStub(channel)
        for i in range(6):
            body = tokens_pb2.CreateTokenRequest(token=tokens_pb2.CreateToken(organization_id=org_id))
            if i < 2:
                body.token.expiry.seconds = int(now[0]) + 60 * (i + 1)
            stub.CreateToken(body, metadata=meta)
        listing = tokens_pb2.ListTokensRequest(organization_id=org_id, page_size=2)
        first = stub.ListTokens(listing, metadata=meta)
        assert first.total_count == 6
        listing.page_token = first.next_page_token
        assert stub.ListTokens(listing, metadata=meta).total_count == 6
        now[0] += 61  # the first token expired: no write, the count still changes
        assert stub.ListTokens(listing, metadata=meta).total_count == 5
        now[0] += 60
        page = stub.ListTokens(listing, metadata=meta)
        assert page.total_count == 4
        assert all(not t.HasField("expiry") for t in page.tokens)
        with emu.state.store.transaction() as tx:
            assert tx.get("organization", org_id, organizations_pb2.Organization) is not None
