"""List paging reviewed as an attacker and a demanding user, through the public gRPC API.

What every list RPC must hold: a walk without writes lists every match once, in order, forward and back;
``total_size`` is the true number of matches at the time of each call, however the tokens were obtained
(interleaved writes, time passing, a restored snapshot, another emulator, a reopened ``--db`` file, a
token edited by hand); a token that is not ours is INVALID_ARGUMENT, never UNKNOWN or INTERNAL; many
threads paging while others write see no error and sane totals.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.wrappers_pb2 import Int32Value

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.connected_accounts import connected_accounts_pb2_grpc as ca_grpc
from scalekit_api.v1.connections import connections_pb2 as conn_pb
from scalekit_api.v1.connections import connections_pb2_grpc as conn_grpc
from scalekit_api.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit_api.v1.events import events_pb2, events_pb2_grpc
from scalekit_api.v1.organizations import organizations_pb2 as org_pb
from scalekit_api.v1.organizations import organizations_pb2_grpc as org_grpc
from scalekit_api.v1.providers import providers_pb2 as prv_pb
from scalekit_api.v1.providers import providers_pb2_grpc as prv_grpc
from scalekit_api.v1.sessions import sessions_pb2, sessions_pb2_grpc
from scalekit_api.v1.tokens import tokens_pb2, tokens_pb2_grpc
from scalekit_api.v1.tools import tools_pb2, tools_pb2_grpc
from scalekit_api.v1.users import users_pb2, users_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.services.sessions import create_session
from scalekit_py.emulator.store import Cursor, decode_page_token


@dataclass
class Env:
    emu: Emulator
    channel: grpc.Channel
    now: list[float]
    org_id: str
    user_id: str

    @property
    def md(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.emu.access_token()}"),)


def _start(emu: Emulator) -> Env:
    now = [time.time()]
    emu.state.clock = lambda: now[0]
    assert emu.seeded is not None
    channel = grpc.insecure_channel(emu.grpc_target)
    return Env(emu, channel, now, emu.seeded.organization_id, emu.seeded.member_user_id)


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    with Emulator() as emu:
        e = _start(emu)
        _populate(e)
        emu.snapshot()
        yield e
        e.channel.close()


@pytest.fixture
def fresh(env: Env) -> Env:
    """The module's emulator, back to its populated state (and its clock to the start)."""
    env.emu.reset()
    return env


def _users(e: Env) -> users_pb2_grpc.UserServiceStub:
    return users_pb2_grpc.UserServiceStub(e.channel)


def _populate(e: Env) -> None:
    users = _users(e)
    for i in range(14):
        body = users_pb2.CreateUser(email=f"walk{i}@example.com")
        body.user_profile.given_name = "blue" if i % 2 == 0 else "green"
        users.CreateUserAndMembership(
            users_pb2.CreateUserAndMembershipRequest(organization_id=e.org_id, user=body), metadata=e.md
        )
    orgs = org_grpc.OrganizationServiceStub(e.channel)
    for i in range(9):
        orgs.CreateOrganization(
            org_pb.CreateOrganizationRequest(
                organization=org_pb.CreateOrganization(display_name=f"Walkers {i}")
            ),
            metadata=e.md,
        )
    for _ in range(11):
        create_session(e.emu.state, e.user_id, e.org_id, idle_timeout=3600 if _ % 2 else 7200)
    tokens = tokens_pb2_grpc.ApiTokenServiceStub(e.channel)
    for i in range(11):
        spec = tokens_pb2.CreateToken(organization_id=e.org_id)
        if i % 3 == 0:
            spec.user_id = e.user_id
        if i % 4 == 1:
            spec.expiry.seconds = int(e.now[0]) + 600 * (i + 1)
        tokens.CreateToken(tokens_pb2.CreateTokenRequest(token=spec), metadata=e.md)
    accounts = ca_grpc.ConnectedAccountServiceStub(e.channel)
    for i in range(11):
        accounts.CreateConnectedAccount(
            ca_pb.CreateConnectedAccountRequest(
                connector="notes",
                identifier=f"walker{i}@example.com",
                organization_id=e.org_id if i % 2 == 0 else "",
                user_id=e.user_id if i % 3 == 0 else "",
                connected_account=ca_pb.CreateConnectedAccount(),
            ),
            metadata=e.md,
        )
    conns = conn_grpc.ConnectionServiceStub(e.channel)
    for i in range(9):
        conns.CreateEnvironmentConnection(
            conn_pb.CreateEnvironmentConnectionRequest(
                connection=conn_pb.CreateConnection(type=conn_pb.OAUTH, provider_key=f"walkapp{i}"),
                flags=conn_pb.Flags(is_app=i % 3 != 0),
            ),
            metadata=e.md,
        )
        conns.CreateConnection(
            conn_pb.CreateConnectionRequest(
                organization_id=e.org_id,
                connection=conn_pb.CreateConnection(type=conn_pb.OIDC, provider_key=f"walksso{i}"),
            ),
            metadata=e.md,
        )
    tools = tools_pb2_grpc.ToolServiceStub(e.channel)
    for i in range(7):
        tool = tools_pb2.Tool(provider="DEMO_API")
        tool.definition.update({"name": f"walktool_{i}", "description": "a walking tool"})
        tools.CreateTool(tools_pb2.CreateToolRequest(tool=tool), metadata=e.md)
    providers = prv_grpc.ProviderServiceStub(e.channel)
    for i in range(5):
        providers.CreateCustomProvider(
            prv_pb.CreateCustomProviderRequest(provider=_provider(f"Walk {i}")), metadata=e.md
        )


def _provider(name: str) -> prv_pb.CreateCustomProvider:
    spec = prv_pb.CreateCustomProvider(display_name=name)
    spec.auth_patterns.add_struct().update(
        {"type": "BEARER", "display_name": "Token", "fields": [{"field_name": "token"}]}
    )
    return spec


# --- the list RPCs under review ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """One list RPC with one filter: a page of it at (token, size) -> (ids, total, next, prev)."""

    name: str
    page: Callable[[Env, str, int], tuple[list[str], int, str, str]]


def _paged(resp: Any, items: str, total: str = "total_size") -> tuple[list[str], int, str, str]:
    ids = []
    for item in getattr(resp, items):
        for field in ("id", "session_id", "token_id", "identifier"):
            if field in item.DESCRIPTOR.fields_by_name and getattr(item, field):
                ids.append(getattr(item, field))
                break
        else:
            if "tool" in item.DESCRIPTOR.fields_by_name:
                ids.append(item.tool.id + "/" + item.connected_account_id)
            else:
                ids.append(item.SerializeToString(deterministic=True).hex())
    return ids, int(getattr(resp, total)), resp.next_page_token, resp.prev_page_token


def _l_users(e: Env, t: str, n: int) -> Any:
    return _paged(
        _users(e).ListUsers(users_pb2.ListUsersRequest(page_size=n, page_token=t), metadata=e.md), "users"
    )


def _l_org_users(e: Env, t: str, n: int) -> Any:
    req = users_pb2.ListOrganizationUsersRequest(organization_id=e.org_id, page_size=n, page_token=t)
    return _paged(_users(e).ListOrganizationUsers(req, metadata=e.md), "users")


def _l_search_users(e: Env, t: str, n: int) -> Any:
    req = users_pb2.SearchUsersRequest(query="blue", page_size=n, page_token=t)
    return _paged(_users(e).SearchUsers(req, metadata=e.md), "users")


def _l_search_org_users(e: Env, t: str, n: int) -> Any:
    req = users_pb2.SearchOrganizationUsersRequest(
        organization_id=e.org_id, query="walk", page_size=n, page_token=t
    )
    return _paged(_users(e).SearchOrganizationUsers(req, metadata=e.md), "users")


def _l_orgs(e: Env, t: str, n: int) -> Any:
    req = org_pb.ListOrganizationsRequest(page_size=n, page_token=t)
    return _paged(
        org_grpc.OrganizationServiceStub(e.channel).ListOrganization(req, metadata=e.md), "organizations"
    )


def _l_search_orgs(e: Env, t: str, n: int) -> Any:
    req = org_pb.SearchOrganizationsRequest(query="walkers", page_size=n, page_token=t)
    stub = org_grpc.OrganizationServiceStub(e.channel)
    return _paged(stub.SearchOrganization(req, metadata=e.md), "organizations")


def _l_sessions(e: Env, t: str, n: int) -> Any:
    req = sessions_pb2.UserSessionDetailsRequest(
        user_id=e.user_id, page_size=n, page_token=t, filter=sessions_pb2.UserSessionFilter(status=["ACTIVE"])
    )
    return _paged(
        sessions_pb2_grpc.SessionServiceStub(e.channel).GetUserSessions(req, metadata=e.md), "sessions"
    )


def _l_tokens(e: Env, t: str, n: int) -> Any:
    req = tokens_pb2.ListTokensRequest(organization_id=e.org_id, page_size=n, page_token=t)
    stub = tokens_pb2_grpc.ApiTokenServiceStub(e.channel)
    return _paged(stub.ListTokens(req, metadata=e.md), "tokens", "total_count")


def _l_user_tokens(e: Env, t: str, n: int) -> Any:
    req = tokens_pb2.ListTokensRequest(organization_id=e.org_id, user_id=e.user_id, page_size=n, page_token=t)
    stub = tokens_pb2_grpc.ApiTokenServiceStub(e.channel)
    return _paged(stub.ListTokens(req, metadata=e.md), "tokens", "total_count")


def _accounts_listing(**fields: Any) -> Callable[[Env, str, int], Any]:
    def page(e: Env, t: str, n: int) -> Any:
        values = {k: (v(e) if callable(v) else v) for k, v in fields.items()}
        req = ca_pb.ListConnectedAccountsRequest(page_size=n, page_token=t, **values)
        stub = ca_grpc.ConnectedAccountServiceStub(e.channel)
        return _paged(stub.ListConnectedAccounts(req, metadata=e.md), "connected_accounts")

    return page


def _l_search_accounts(e: Env, t: str, n: int) -> Any:
    req = ca_pb.SearchConnectedAccountsRequest(query="walker", page_size=n, page_token=t)
    stub = ca_grpc.ConnectedAccountServiceStub(e.channel)
    return _paged(stub.SearchConnectedAccounts(req, metadata=e.md), "connected_accounts")


def _l_events(e: Env, t: str, n: int) -> Any:
    flt = events_pb2.EventFilter(event_types=["user.created", "organization.created"])
    req = events_pb2.ListEventsRequest(filter=flt, page_size=n, page_token=t)
    return _paged(events_pb2_grpc.EventsServiceStub(e.channel).ListEvents(req, metadata=e.md), "events")


def _l_app_conns(e: Env, t: str, n: int) -> Any:
    req = conn_pb.ListAppConnectionsRequest(page_size=n, page_token=t, query="walkapp")
    stub = conn_grpc.ConnectionServiceStub(e.channel)
    return _paged(stub.ListAppConnections(req, metadata=e.md), "connections")


def _l_search_org_conns(e: Env, t: str, n: int) -> Any:
    req = conn_pb.SearchOrganizationConnectionsRequest(page_size=n, page_token=t, query="acme")
    stub = conn_grpc.ConnectionServiceStub(e.channel)
    return _paged(stub.SearchOrganizationConnections(req, metadata=e.md), "connections")


def _l_tools(e: Env, t: str, n: int) -> Any:
    req = tools_pb2.ListToolsRequest(filter=tools_pb2.Filter(query="walk"), page_size=n, page_token=t)
    return _paged(tools_pb2_grpc.ToolServiceStub(e.channel).ListTools(req, metadata=e.md), "tools")


def _l_all_tools(e: Env, t: str, n: int) -> Any:
    req = tools_pb2.ListToolsRequest(page_size=n, page_token=t)
    return _paged(tools_pb2_grpc.ToolServiceStub(e.channel).ListTools(req, metadata=e.md), "tools")


def _l_providers(e: Env, t: str, n: int) -> Any:
    req = prv_pb.ListProvidersRequest(page_size=n, page_token=t)
    return _paged(prv_grpc.ProviderServiceStub(e.channel).ListProviders(req, metadata=e.md), "providers")


LISTINGS = [
    Listing("ListUsers", _l_users),
    Listing("ListOrganizationUsers", _l_org_users),
    Listing("SearchUsers", _l_search_users),
    Listing("SearchOrganizationUsers", _l_search_org_users),
    Listing("ListOrganization", _l_orgs),
    Listing("SearchOrganization", _l_search_orgs),
    Listing("GetUserSessions(ACTIVE)", _l_sessions),
    Listing("ListTokens(org)", _l_tokens),
    Listing("ListTokens(user)", _l_user_tokens),
    Listing("ListConnectedAccounts(org)", _accounts_listing(organization_id=lambda e: e.org_id)),
    Listing("ListConnectedAccounts(user)", _accounts_listing(user_id=lambda e: e.user_id)),
    Listing(
        "ListConnectedAccounts(org+user)",
        _accounts_listing(organization_id=lambda e: e.org_id, user_id=lambda e: e.user_id),
    ),
    Listing("ListConnectedAccounts(identifier)", _accounts_listing(identifier="walker3@example.com")),
    Listing("ListConnectedAccounts(query)", _accounts_listing(query="walker1")),
    Listing("SearchConnectedAccounts", _l_search_accounts),
    Listing("ListEvents(types)", _l_events),
    Listing("ListAppConnections", _l_app_conns),
    Listing("SearchOrganizationConnections", _l_search_org_conns),
    Listing("ListTools(query)", _l_tools),
    Listing("ListTools", _l_all_tools),
    Listing("ListProviders", _l_providers),
]
BY_NAME = {listing.name: listing for listing in LISTINGS}


def _everything(e: Env, listing: Listing) -> list[str]:
    """The whole list, by pages of 30 (the smallest maximum of these RPCs)."""
    out, token = [], ""
    while True:
        ids, _, token, _ = listing.page(e, token, 30)
        out += ids
        if not token:
            return out


# --- 1. a walk without writes: every match once, in order, forward and back -------------------------------


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda item: item.name)
@pytest.mark.parametrize("size", [1, 3, 4])
def test_a_walk_lists_every_match_once_forward_and_back(env: Env, listing: Listing, size: int) -> None:
    want = _everything(env, listing)
    assert len(want) > 0, listing.name
    assert len(set(want)) == len(want)
    pages: list[tuple[str, list[str], str]] = []
    token = ""
    while True:
        ids, total, nxt, prev = listing.page(env, token, size)
        assert total == len(want), (listing.name, len(pages))
        pages.append((token, ids, prev))
        if not nxt:
            break
        assert len(pages) < 200
        token = nxt
    assert [i for _, ids, _ in pages for i in ids] == want
    for index in range(len(pages) - 1, 0, -1):  # each page's prev token gives the page before it
        _, _, prev = pages[index]
        assert prev, (listing.name, index)
        ids, total, _, _ = listing.page(env, prev, size)
        assert ids == pages[index - 1][1], (listing.name, index)
        assert total == len(want)
    assert pages[0][2] == ""


# --- 2. total_size under interleaved writes ---------------------------------------------------------------


def _check_walk(e: Env, listing: Listing, writes: list[Callable[[], None]], size: int = 1) -> None:
    """Walk ``listing``, running one write before each later page; each page's total equals a fresh one."""
    _, total, token, _ = listing.page(e, "", size)
    assert total == len(_everything(e, listing))
    for write in writes:
        write()  # (a walk at its end starts again: the writes go on between pages)
        _, total, token, _ = listing.page(e, token, size)
        assert total == len(_everything(e, listing)), listing.name


def test_user_writes_between_pages_keep_totals_exact(fresh: Env) -> None:
    e = fresh
    users = _users(e)
    listed = _everything(e, BY_NAME["SearchUsers"])

    def create() -> None:
        body = users_pb2.CreateUser(email="late@example.com")
        body.user_profile.given_name = "blue"
        users.CreateUserAndMembership(
            users_pb2.CreateUserAndMembershipRequest(organization_id=e.org_id, user=body), metadata=e.md
        )

    def rename() -> None:  # a blue user turns green: leaves the search
        users.UpdateUser(
            users_pb2.UpdateUserRequest(
                id=listed[0],
                user=users_pb2.UpdateUser(user_profile=users_pb2.UpdateUserProfile(given_name="x")),
            ),
            metadata=e.md,
        )

    def delete() -> None:
        users.DeleteUser(users_pb2.DeleteUserRequest(id=listed[-1]), metadata=e.md)

    for name in ("SearchUsers", "SearchOrganizationUsers", "ListUsers", "ListOrganizationUsers"):
        e.emu.reset()
        _check_walk(e, BY_NAME[name], [create, rename, delete])


def test_organization_writes_between_pages_keep_totals_exact(fresh: Env) -> None:
    e = fresh
    orgs = org_grpc.OrganizationServiceStub(e.channel)
    made: list[str] = []

    def create() -> None:
        body = org_pb.CreateOrganization(display_name="Walkers late")
        made.append(
            orgs.CreateOrganization(
                org_pb.CreateOrganizationRequest(organization=body), metadata=e.md
            ).organization.id
        )

    def rename() -> None:
        orgs.UpdateOrganization(
            org_pb.UpdateOrganizationRequest(
                id=made[0], organization=org_pb.UpdateOrganization(display_name="Gone")
            ),
            metadata=e.md,
        )

    def rename_seeded() -> None:  # SearchOrganizationConnections matches the organization's name
        orgs.UpdateOrganization(
            org_pb.UpdateOrganizationRequest(
                id=e.org_id, organization=org_pb.UpdateOrganization(display_name="Zeta")
            ),
            metadata=e.md,
        )

    _check_walk(e, BY_NAME["SearchOrganization"], [create, rename, create])
    _check_walk(e, BY_NAME["ListOrganization"], [create, rename])
    _check_walk(e, BY_NAME["SearchOrganizationConnections"], [rename_seeded])


def test_session_changes_and_expiry_between_pages_keep_totals_exact(fresh: Env) -> None:
    e = fresh
    stub = sessions_pb2_grpc.SessionServiceStub(e.channel)
    listing = BY_NAME["GetUserSessions(ACTIVE)"]

    def revoke() -> None:
        first = _everything(e, listing)[0]
        stub.RevokeSession(sessions_pb2.RevokeSessionRequest(session_id=first), metadata=e.md)

    def create() -> None:
        create_session(e.emu.state, e.user_id, e.org_id)

    def later() -> None:  # the sessions with a one-hour idle timeout expire: no write, fewer matches
        e.now[0] += 3601

    _check_walk(e, listing, [revoke, create, later])


def test_token_writes_and_expiry_between_pages_keep_totals_exact(fresh: Env) -> None:
    e = fresh
    stub = tokens_pb2_grpc.ApiTokenServiceStub(e.channel)
    made: list[str] = []

    def create() -> None:
        body = tokens_pb2.CreateToken(organization_id=e.org_id, user_id=e.user_id)
        made.append(stub.CreateToken(tokens_pb2.CreateTokenRequest(token=body), metadata=e.md).token)

    def revoke() -> None:
        stub.InvalidateToken(tokens_pb2.InvalidateTokenRequest(token=made[0]), metadata=e.md)

    def later() -> None:
        e.now[0] += 1201

    def earlier() -> None:  # the clock turned back: expired tokens are live again
        e.now[0] -= 1201

    for name in ("ListTokens(org)", "ListTokens(user)"):
        e.emu.reset()
        e.now[0] = time.time()
        made.clear()
        _check_walk(e, BY_NAME[name], [create, revoke, later, earlier])


def test_account_writes_between_pages_keep_totals_exact(fresh: Env) -> None:
    e = fresh
    stub = ca_grpc.ConnectedAccountServiceStub(e.channel)
    count = [0]

    def create() -> None:
        count[0] += 1
        stub.CreateConnectedAccount(
            ca_pb.CreateConnectedAccountRequest(
                connector="notes",
                identifier=f"walker1late{count[0]}@example.com",
                organization_id=e.org_id,
                user_id=e.user_id,
                connected_account=ca_pb.CreateConnectedAccount(),
            ),
            metadata=e.md,
        )

    def delete() -> None:
        stub.DeleteConnectedAccount(
            ca_pb.DeleteConnectedAccountRequest(connector="notes", identifier="walker0@example.com"),
            metadata=e.md,
        )

    for name in (
        "ListConnectedAccounts(org)",
        "ListConnectedAccounts(user)",
        "ListConnectedAccounts(org+user)",
        "ListConnectedAccounts(query)",
        "SearchConnectedAccounts",
    ):
        e.emu.reset()
        _check_walk(e, BY_NAME[name], [create, delete, create])


def test_catalogue_writes_between_pages_keep_totals_exact(fresh: Env) -> None:
    e = fresh
    tools = tools_pb2_grpc.ToolServiceStub(e.channel)
    providers = prv_grpc.ProviderServiceStub(e.channel)
    count = [0]

    def tool() -> None:
        count[0] += 1
        body = tools_pb2.Tool(provider="DEMO_API")
        body.definition.update({"name": f"walktool_late_{count[0]}", "description": "late"})
        tools.CreateTool(tools_pb2.CreateToolRequest(tool=body), metadata=e.md)

    def provider() -> None:
        count[0] += 1
        body = _provider(f"Late {count[0]}")
        providers.CreateCustomProvider(prv_pb.CreateCustomProviderRequest(provider=body), metadata=e.md)

    _check_walk(e, BY_NAME["ListTools(query)"], [tool, tool])
    _check_walk(e, BY_NAME["ListTools"], [tool])
    _check_walk(e, BY_NAME["ListProviders"], [provider, provider])


def test_event_writes_between_pages_keep_totals_exact(fresh: Env) -> None:
    e = fresh
    orgs = org_grpc.OrganizationServiceStub(e.channel)

    def create() -> None:  # emits organization.created
        orgs.CreateOrganization(
            org_pb.CreateOrganizationRequest(organization=org_pb.CreateOrganization(display_name="Evented")),
            metadata=e.md,
        )

    _check_walk(e, BY_NAME["ListEvents(types)"], [create, create])


# --- 3. tokens from elsewhere, and forged ones ------------------------------------------------------------


def _forge_total(token: str, total: int) -> str:
    """The same token claiming another count (its stamp kept as issued)."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    parts = raw.split(":")
    if parts[0] == "seq":
        c = decode_page_token(token)
        return Cursor(c.after, total, c.stamp).encode()
    assert parts[0] == "ak", raw
    assert len(parts) == 5, raw
    parts[3] = str(total)
    return base64.urlsafe_b64encode(":".join(parts).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "name",
    ["SearchUsers", "SearchOrganization", "GetUserSessions(ACTIVE)", "ListTokens(org)",
     "SearchConnectedAccounts", "ListConnectedAccounts(org+user)", "ListEvents(types)",
     "ListAppConnections", "ListTools(query)"],
)  # fmt: skip
def test_a_count_edited_into_a_real_token_is_not_believed(env: Env, name: str) -> None:
    listing = BY_NAME[name]
    _, total, token, _ = listing.page(env, "", 1)
    assert token
    for claimed in (0, total + 1, 2**40):
        _, seen, _, _ = listing.page(env, _forge_total(token, claimed), 1)
        assert seen == total, (name, claimed)


def _outcome(e: Env, listing: Listing, token: str, size: int) -> int | grpc.StatusCode:
    """A page's total, or the status code of the error it raised."""
    try:
        return listing.page(e, token, size)[1]
    except grpc.RpcError as exc:
        return exc.code()


def _b64(raw: str | bytes) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


FORGED = [
    "seq:-1",
    "seq:1:-1:ab",
    "seq:18446744073709551616",
    "seq:1:18446744073709551616:ab",
    "seq:1e3",
    "seq:" + "9" * 5000,
    "seq:1:2:3:4",
    "seq:1:2",
    "seq:",
    "seq",
    "ak:0:1",
    "ak:-1:0",
    "ak:99999999999999999999:0",
    "ak:0:0:5",
    "ak:0:0:5:x:y",
    "\u00e9\u00e9\u00e9",
    "seq:1:5:\u00e9",
    "seq:\x00",
]
RAW_TOKENS = ["%%%", "\u00e9t\u00e9", "a" * 100_000, "====", "seq:1"]


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda item: item.name)
def test_forged_tokens_are_invalid_or_harmless(env: Env, listing: Listing) -> None:
    want = len(_everything(env, listing))
    tokens = [_b64(raw) for raw in FORGED] + [_b64(b"\xff\xfe"), *RAW_TOKENS]
    for token in tokens:
        seen = _outcome(env, listing, token, 3)
        assert seen in (want, grpc.StatusCode.INVALID_ARGUMENT), (listing.name, token[:40], seen)


def test_tokens_of_another_listing_count_afresh(env: Env) -> None:
    """A token of one listing used on every other: INVALID_ARGUMENT or the other's own total."""
    tokens = {}
    for listing in LISTINGS:
        _, _, token, _ = listing.page(env, "", 1)
        tokens[listing.name] = token
    for listing in LISTINGS:
        want = len(_everything(env, listing))
        for other, token in tokens.items():
            if other == listing.name or not token:
                continue
            seen = _outcome(env, listing, token, 1)
            assert seen in (want, grpc.StatusCode.INVALID_ARGUMENT), (listing.name, other, seen)


def test_tokens_across_restore_count_afresh(fresh: Env) -> None:
    """Tokens issued after one write, used after a restore and another write of the same kinds: the
    write counts are equal again, the lists are not."""
    e = fresh
    users = _users(e)

    def user(email: str, name: str) -> None:
        body = users_pb2.CreateUser(email=email)
        body.user_profile.given_name = name
        users.CreateUserAndMembership(
            users_pb2.CreateUserAndMembershipRequest(organization_id=e.org_id, user=body), metadata=e.md
        )

    user("walkmore@example.com", "blue")
    issued = {listing.name: listing.page(e, "", 2)[2] for listing in LISTINGS}
    e.emu.reset()
    user("other@example.com", "red")
    for listing in LISTINGS:
        _, total, _, _ = listing.page(e, issued[listing.name], 2)
        assert total == len(_everything(e, listing)), listing.name


def test_tokens_of_another_emulator_count_afresh(env: Env) -> None:
    issued = {listing.name: listing.page(env, "", 2)[2] for listing in LISTINGS}
    with Emulator() as other:
        e = _start(other)
        try:
            for listing in LISTINGS:
                want = len(_everything(e, listing))
                seen = _outcome(e, listing, issued[listing.name], 2)
                assert seen in (want, grpc.StatusCode.INVALID_ARGUMENT), (listing.name, seen)
        finally:
            e.channel.close()


def test_tokens_across_a_reopened_db_file_count_afresh(tmp_path: Path) -> None:
    db = tmp_path / "paging.db"
    with Emulator(db=db) as first:
        e = _start(first)
        _populate(e)
        listing = BY_NAME["SearchUsers"]
        _, total, token, _ = listing.page(e, "", 2)
        e.channel.close()
    with Emulator(db=db) as second:
        e = _start(second)
        try:
            users = _users(e)
            found = listing.page(e, "", 30)[0]
            users.DeleteUser(users_pb2.DeleteUserRequest(id=found[0]), metadata=e.md)
            _, again, _, _ = listing.page(e, token, 2)
            assert again == total - 1
        finally:
            e.channel.close()


# --- 4. many threads paging while others write ------------------------------------------------------------


def test_concurrent_walks_and_writes_raise_nothing(fresh: Env) -> None:
    e = fresh
    names = [
        "SearchUsers",
        "ListTokens(org)",
        "ListConnectedAccounts(org+user)",
        "ListEvents(types)",
        "ListTools(query)",
    ]
    errors: list[BaseException] = []
    stop = threading.Event()

    def walker(listing: Listing) -> None:
        try:
            for _ in range(3):
                token = ""
                while True:
                    ids, total, token, _ = listing.page(e, token, 2)
                    assert 0 <= total < 1000
                    assert len(ids) <= 2
                    if not token:
                        break
        except BaseException as exc:
            errors.append(exc)

    def writer(n: int) -> None:
        users = _users(e)
        tokens = tokens_pb2_grpc.ApiTokenServiceStub(e.channel)
        i = 0
        try:
            while not stop.is_set() and i < 40:
                i += 1
                body = users_pb2.CreateUser(email=f"busy{n}.{i}@example.com")
                body.user_profile.given_name = "blue"
                made = users.CreateUserAndMembership(
                    users_pb2.CreateUserAndMembershipRequest(organization_id=e.org_id, user=body),
                    metadata=e.md,
                )
                tokens.CreateToken(
                    tokens_pb2.CreateTokenRequest(token=tokens_pb2.CreateToken(organization_id=e.org_id)),
                    metadata=e.md,
                )
                if i % 2:
                    users.DeleteUser(users_pb2.DeleteUserRequest(id=made.user.id), metadata=e.md)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=walker, args=(BY_NAME[n],)) for n in names for _ in range(2)]
    threads += [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads[:-2]:
        t.join(timeout=60)
    stop.set()
    for t in threads[-2:]:
        t.join(timeout=60)
    assert not errors, errors[:3]
    for name in names:
        listing = BY_NAME[name]
        assert listing.page(e, "", 3)[1] == len(_everything(e, listing))


# --- 5. numbered pages ------------------------------------------------------------------------------------


def test_list_domains_negative_page_size_is_not_unbounded(fresh: Env) -> None:
    e = fresh
    stub = domains_pb2_grpc.DomainServiceStub(e.channel)
    for i in range(12):
        stub.CreateDomain(
            domains_pb2.CreateDomainRequest(
                organization_id=e.org_id, domain=domains_pb2.CreateDomain(domain=f"walk{i}.example.com")
            ),
            metadata=e.md,
        )
    for size in (-1, -(2**31)):
        req = domains_pb2.ListDomainRequest(organization_id=e.org_id, page_size=Int32Value(value=size))
        assert len(stub.ListDomains(req, metadata=e.md).domains) == 10, size  # the default page
