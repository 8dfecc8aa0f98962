"""The list index (issue 12, "paging stays O(page)"): every filtered list RPC pages in SQL on the ``tags``
index, the index follows every write, and the results equal filtering every document in Python.

The plan checks run the real handlers with SQLite's statement trace on and ``EXPLAIN QUERY PLAN`` every
paging query they issue: it must read the index by its key, never scan a table or sort into a temp b-tree.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from scalekit_api.v1.commons import commons_pb2
from scalekit_api.v1.connections import connections_pb2, connections_pb2_grpc
from scalekit_api.v1.directories import directories_pb2, directories_pb2_grpc
from scalekit_api.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_api.v1.roles import roles_pb2, roles_pb2_grpc
from scalekit_api.v1.sessions import sessions_pb2, sessions_pb2_grpc
from scalekit_api.v1.tokens import tokens_pb2, tokens_pb2_grpc
from scalekit_api.v1.users import users_pb2, users_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.indexes import search_text
from scalekit_py.emulator.services.directories import add_directory_group, add_directory_user
from scalekit_py.emulator.services.sessions import create_session
from scalekit_py.emulator.store import Match, Store, decode_page_token


@pytest.fixture(scope="module")
def traced(emulator: Emulator) -> Iterator[list[str]]:
    """Every SQL statement the emulator's store runs, while the test runs."""
    seen: list[str] = []
    emulator.state.store._conn.set_trace_callback(seen.append)
    yield seen
    emulator.state.store._conn.set_trace_callback(None)


def _plans(store: Store, statements: list[str]) -> list[str]:
    """The query plans of the paging statements (those that read the list index)."""
    plans = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT") and "FROM tags t" in sql:
            rows = store._conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            plans.append(" | ".join(str(r[-1]) for r in rows))
    return plans


def _assert_indexed(emulator: Emulator, traced: list[str], call: Callable[[], object]) -> None:
    traced.clear()
    call()
    plans = _plans(emulator.state.store, list(traced))
    assert plans, "the RPC did not page on the list index"
    for plan in plans:
        assert "TEMP B-TREE" not in plan, plan
        # The list's own rows: in list order (the primary key) or a number range of them (tags_by_num).
        own_rows = r"SEARCH t USING (PRIMARY KEY|(COVERING )?INDEX tags_by_num) \(kind=\? AND tag=\?"
        assert re.search(own_rows, plan), plan
        for table in ("SCAN t", "SCAN d", "SCAN docs"):
            assert table not in plan, plan


def _org(channel: grpc.Channel, external_id: str) -> str:
    stub = organizations_pb2_grpc.OrganizationServiceStub(channel)
    spec = organizations_pb2.CreateOrganization(display_name=f"Index {external_id}", external_id=external_id)
    reply = stub.CreateOrganization(organizations_pb2.CreateOrganizationRequest(organization=spec))
    return str(reply.organization.id)


def _enabled_directory(channel: grpc.Channel, external_id: str) -> tuple[str, directories_pb2.Directory]:
    """A new organization and its enabled SCIM directory (the IdP can push into it)."""
    org_id = _org(channel, external_id)
    stub = directories_pb2_grpc.DirectoryServiceStub(channel)
    spec = directories_pb2.CreateDirectory(
        directory_type=directories_pb2.SCIM, directory_provider=directories_pb2.OKTA
    )
    d = stub.CreateDirectory(directories_pb2.CreateDirectoryRequest(organization_id=org_id, directory=spec))
    stub.EnableDirectory(directories_pb2.ToggleDirectoryRequest(organization_id=org_id, id=d.directory.id))
    return org_id, d.directory


def _member(channel: grpc.Channel, org_id: str, email: str) -> str:
    stub = users_pb2_grpc.UserServiceStub(channel)
    reply = stub.CreateUserAndMembership(
        users_pb2.CreateUserAndMembershipRequest(
            organization_id=org_id, user=users_pb2.CreateUser(email=email)
        )
    )
    return str(reply.user.id)


def test_user_and_organization_lists_page_on_the_index(
    emulator: Emulator, grpc_channel: grpc.Channel, traced: list[str]
) -> None:
    org_id = _org(grpc_channel, "idx-users")
    user_id = _member(grpc_channel, org_id, "index.plan@example.com")
    users = users_pb2_grpc.UserServiceStub(grpc_channel)
    orgs = organizations_pb2_grpc.OrganizationServiceStub(grpc_channel)
    token = ""

    def org_users() -> None:
        nonlocal token
        reply = users.ListOrganizationUsers(
            users_pb2.ListOrganizationUsersRequest(organization_id=org_id, page_size=1)
        )
        assert [u.id for u in reply.users] == [user_id]
        token = reply.next_page_token

    _assert_indexed(emulator, traced, org_users)
    _assert_indexed(
        emulator,
        traced,
        lambda: users.SearchOrganizationUsers(
            users_pb2.SearchOrganizationUsersRequest(organization_id=org_id, query="INDEX.plan")
        ),
    )
    _assert_indexed(emulator, traced, lambda: users.SearchUsers(users_pb2.SearchUsersRequest(query="plan")))
    _assert_indexed(emulator, traced, lambda: users.ListUsers(users_pb2.ListUsersRequest(page_size=1)))
    _assert_indexed(
        emulator,
        traced,
        lambda: orgs.ListOrganization(organizations_pb2.ListOrganizationsRequest(page_size=1)),
    )
    request = organizations_pb2.ListOrganizationsRequest(external_id="idx-users")
    _assert_indexed(emulator, traced, lambda: orgs.ListOrganization(request))
    assert [o.id for o in orgs.ListOrganization(request).organizations] == [org_id]
    _assert_indexed(
        emulator,
        traced,
        lambda: orgs.SearchOrganization(organizations_pb2.SearchOrganizationsRequest(query="idx-")),
    )


def test_sessions_permissions_connections_page_on_the_index(
    emulator: Emulator, grpc_channel: grpc.Channel, traced: list[str]
) -> None:
    org_id = _org(grpc_channel, "idx-sessions")
    user_id = _member(grpc_channel, org_id, "index.sessions@example.com")
    create_session(emulator.state, user_id, org_id)
    sessions = sessions_pb2_grpc.SessionServiceStub(grpc_channel)
    flt = sessions_pb2.UserSessionFilter(status=["active"], start_time=Timestamp(seconds=1))
    _assert_indexed(
        emulator,
        traced,
        lambda: sessions.GetUserSessions(sessions_pb2.UserSessionDetailsRequest(user_id=user_id, filter=flt)),
    )
    # The expiry sweep before the page reads only the sessions that are due: a range of the number index.
    plans = _plans(emulator.state.store, list(traced))
    assert any("INDEX tags_by_num (kind=? AND tag=? AND num<?)" in p for p in plans), plans
    perms = roles_pb2_grpc.RolesServiceStub(grpc_channel)
    for kind in (roles_pb2.ALL, roles_pb2.SCALEKIT, roles_pb2.ENVIRONMENT):
        request = roles_pb2.ListPermissionsRequest(type=kind)
        _assert_indexed(emulator, traced, functools.partial(perms.ListPermissions, request))
    conns = connections_pb2_grpc.ConnectionServiceStub(grpc_channel)
    _assert_indexed(
        emulator,
        traced,
        lambda: conns.ListOrganizationConnections(connections_pb2.ListOrganizationConnectionsRequest()),
    )


def test_directory_lists_page_on_the_index(
    emulator: Emulator, grpc_channel: grpc.Channel, traced: list[str]
) -> None:
    org_id, d = _enabled_directory(grpc_channel, "idx-directory")
    stub = directories_pb2_grpc.DirectoryServiceStub(grpc_channel)
    group = add_directory_group(emulator.state, d.id, "Engineers", external_id="g-eng")
    add_directory_user(emulator.state, d.id, "dir.one@example.com", groups=[group.id])
    add_directory_user(emulator.state, d.id, "dir.two@example.com")
    in_group = directories_pb2.ListDirectoryUsersRequest(
        organization_id=org_id,
        directory_id=d.id,
        directory_group_id=group.id,
        updated_after=Timestamp(seconds=1),
    )
    _assert_indexed(emulator, traced, lambda: stub.ListDirectoryUsers(in_group))
    assert [u.email for u in stub.ListDirectoryUsers(in_group).users] == ["dir.one@example.com"]
    groups = directories_pb2.ListDirectoryGroupsRequest(organization_id=org_id, directory_id=d.id)
    _assert_indexed(emulator, traced, lambda: stub.ListDirectoryGroups(groups))
    assert [(g.id, g.total_users) for g in stub.ListDirectoryGroups(groups).groups] == [(group.id, 1)]
    # The directory's counts and stats come from the index too; they equal reading every document.
    fetched = stub.GetDirectory(
        directories_pb2.GetDirectoryRequest(organization_id=org_id, id=d.id)
    ).directory
    with emulator.state.store.transaction() as tx:
        users = tx.all("directory_user", directories_pb2.DirectoryUser, parent=d.id)
        all_groups = tx.all("directory_group", directories_pb2.DirectoryGroup, parent=d.id)
    assert (fetched.total_users, fetched.stats.total_users) == (2, 2)
    assert (fetched.total_groups, fetched.stats.total_groups) == (1, 1)
    newest_user = max(u.updated_at.ToNanoseconds() for u in users)
    assert fetched.stats.user_updated_at.ToNanoseconds() == newest_user
    assert fetched.stats.group_updated_at.ToNanoseconds() == all_groups[0].updated_at.ToNanoseconds()


# --- the index follows every write, and equals filtering in Python ------------------------------------------


def _user(i: int, orgs: list[str]) -> users_pb2.User:
    user = users_pb2.User(id=f"usr_{i:04d}", email=f"Person{i}@Example.com", external_id=f"ext-{i % 7}-{i}")
    user.user_profile.given_name = random.choice(["Ana", "Bo", "Cy", "ÉLISE"])
    user.user_profile.family_name = f"Fam{i % 5}"
    for org in orgs:
        user.memberships.add(organization_id=org, membership_status=commons_pb2.ACTIVE)
    return user


def _python_matches(user: users_pb2.User, org: str | None, query: str | None) -> bool:
    p = user.user_profile
    fields = (
        user.id,
        user.email,
        user.external_id,
        p.name,
        p.given_name,
        p.family_name,
        p.preferred_username,
    )
    in_org = org is None or any(m.organization_id == org for m in user.memberships)
    found = query is None or any(query.lower() in f.lower() for f in fields if f)
    return in_org and found


def _walk(store: Store, **kwargs: object) -> list[tuple[list[str], int, int, int]]:
    """Every page of a listing: its ids, where its next and previous tokens point (-1: none), its total."""
    out: list[tuple[list[str], int, int, int]] = []
    token = ""
    while True:
        with store.transaction() as tx:
            page = tx.page("user", users_pb2.User, page_size=4, page_token=token, **kwargs)  # type: ignore[arg-type]
        ids = [u.id for u in page.items if isinstance(u, users_pb2.User)]
        after = [
            decode_page_token(t).after if t else -1 for t in (page.next_page_token, page.prev_page_token)
        ]
        out.append((ids, after[0], after[1], page.total_size))
        if not page.next_page_token:
            return out
        token = page.next_page_token


@pytest.mark.parametrize("newest_first", [False, True])
def test_index_paging_equals_python_filtering_through_writes(newest_first: bool) -> None:
    random.seed(12)
    store = Store()
    orgs = ["org_a", "org_b", "org_c"]
    with store.transaction() as tx:
        for i in range(40):
            user = _user(i, random.sample(orgs, random.randint(0, 2)))
            tx.insert("user", user.id, user)
    with store.transaction() as tx:  # memberships change, users go away: the index follows
        for i in range(0, 40, 3):
            stored = tx.get("user", f"usr_{i:04d}", users_pb2.User)
            assert stored is not None
            del stored.memberships[:]
            stored.memberships.add(organization_id="org_c")
            stored.user_profile.given_name = "Renamed"
            tx.update("user", stored.id, stored)
        for i in range(1, 40, 5):
            tx.delete("user", f"usr_{i:04d}")
    cases: list[tuple[str | None, str | None]] = [
        ("org_a", None), ("org_c", None), ("org_b", "fam2"), (None, "élise"), (None, "RENAMED"),
        (None, ""), ("org_c", "example.com"), ("org_none", None), (None, "no-such-thing"),
    ]  # fmt: skip
    for org, query in cases:
        match = Match("" if org is None else f"org:{org}", contains=None if query is None else query.lower())
        indexed = _walk(store, match=match, newest_first=newest_first)
        python = _walk(
            store, where=lambda u, o=org, q=query: _python_matches(u, o, q), newest_first=newest_first
        )
        assert indexed == python, (org, query)
        assert sum(len(ids) for ids, *_ in indexed) == indexed[0][3]
    store.close()


def test_a_store_file_from_before_the_index_is_reindexed_when_opened(tmp_path: Path) -> None:
    path = str(tmp_path / "old.sqlite")
    store = Store(path)
    with store.transaction() as tx:
        user = _user(1, ["org_a"])
        tx.insert("user", user.id, user)
        # as written by a version without the index
        tx._conn.execute("DELETE FROM tags")
        tx._conn.execute("DELETE FROM meta WHERE key = 'index_version'")
    store.close()
    reopened = Store(path)
    with reopened.transaction() as tx:
        page = tx.page("user", users_pb2.User, page_size=10, match=Match("org:org_a"))
        assert [u.id for u in page.items] == ["usr_0001"]  # type: ignore[attr-defined]
        assert tx.count("user", Match("", contains="person1@")) == 1
    reopened.close()


def test_search_text_keeps_fields_apart() -> None:
    # A query spanning two fields matches in neither of them, as the per-field check did.
    assert search_text("Ana", "", "Bo") == "ana\x1fbo"
    store = Store()
    with store.transaction() as tx:
        user = _user(2, [])
        user.user_profile.given_name, user.user_profile.family_name = "Ana", "Bo"
        tx.insert("user", user.id, user)
        assert tx.count("user", Match("", contains="anabo")) == 0
        assert tx.count("user", Match("", contains="ana")) == 1
    store.close()


def test_domains_connections_and_tokens_page_on_the_index(
    emulator: Emulator, grpc_channel: grpc.Channel, traced: list[str]
) -> None:
    org_id = _org(grpc_channel, "idx-domains")
    domains = domains_pb2_grpc.DomainServiceStub(grpc_channel)
    made = []
    for i in range(7):
        kind = domains_pb2.ORGANIZATION_DOMAIN if i % 2 else domains_pb2.ALLOWED_EMAIL_DOMAIN
        spec = domains_pb2.CreateDomain(domain=f"idx{i}.example.com", domain_type=kind)
        reply = domains.CreateDomain(domains_pb2.CreateDomainRequest(organization_id=org_id, domain=spec))
        made.append((reply.domain.id, kind))

    def numbered(number: int, kind: int = 0) -> list[str]:
        request = domains_pb2.ListDomainRequest(organization_id=org_id, domain_type=kind)  # type: ignore[arg-type]
        request.page_size.value, request.page_number.value = 3, number
        return [d.id for d in domains.ListDomains(request).domains]

    every = [d for d, _ in made]
    assert [numbered(n) for n in (1, 2, 3, 4)] == [every[0:3], every[3:6], every[6:], []]
    org_domains = [d for d, k in made if k == domains_pb2.ORGANIZATION_DOMAIN]
    assert [numbered(n, domains_pb2.ORGANIZATION_DOMAIN) for n in (1, 2)] == [org_domains[:3], []]
    _assert_indexed(emulator, traced, lambda: numbered(2, domains_pb2.ALLOWED_EMAIL_DOMAIN))

    conns = connections_pb2_grpc.ConnectionServiceStub(grpc_channel)
    search = connections_pb2.SearchOrganizationConnectionsRequest(query="idx", page_size=2)
    _assert_indexed(emulator, traced, lambda: conns.SearchOrganizationConnections(search))
    apps = connections_pb2.ListAppConnectionsRequest(page_size=2)
    _assert_indexed(emulator, traced, lambda: conns.ListAppConnections(apps))

    tokens = tokens_pb2_grpc.ApiTokenServiceStub(grpc_channel)
    tokens.CreateToken(tokens_pb2.CreateTokenRequest(token=tokens_pb2.CreateToken(organization_id=org_id)))
    listing = tokens_pb2.ListTokensRequest(organization_id=org_id, page_size=5)
    _assert_indexed(emulator, traced, lambda: tokens.ListTokens(listing))
    assert tokens.ListTokens(listing).total_count == 1


def test_idp_pushes_find_their_user_or_group_without_reading_the_directory(
    emulator: Emulator, grpc_channel: grpc.Channel, traced: list[str]
) -> None:
    _, d = _enabled_directory(grpc_channel, "idx-idp-push")
    group = add_directory_group(emulator.state, d.id, "Engineers", external_id="g-eng")
    named = add_directory_group(emulator.state, d.id, "Named only")
    one = add_directory_user(emulator.state, d.id, "push.one@example.com", groups=[group.id])
    traced.clear()
    again = add_directory_user(emulator.state, d.id, "PUSH.One@example.com", given_name="One")
    assert add_directory_group(emulator.state, d.id, "Renamed", external_id="g-eng").id == group.id
    assert add_directory_group(emulator.state, d.id, "Named only").id == named.id
    whole = [q for q in traced if "FROM docs WHERE kind = 'directory_" in q and "parent =" in q]
    assert not whole, whole
    assert again.id == one.id  # matched by email, case-insensitively
    assert again.given_name == "One"
    assert [g.id for g in again.groups] == []
    with pytest.raises(KeyError):  # a group of another directory (or none) is refused
        add_directory_user(emulator.state, d.id, "push.two@example.com", groups=["dirgroup_missing"])


def test_events_by_type_and_time_page_on_the_index(
    emulator: Emulator, grpc_channel: grpc.Channel, traced: list[str]
) -> None:
    from scalekit_api.v1.events import events_pb2, events_pb2_grpc

    org_id = _org(grpc_channel, "idx-events")
    _member(grpc_channel, org_id, "index.events@example.com")
    stub = events_pb2_grpc.EventsServiceStub(grpc_channel)
    flt = events_pb2.EventFilter(
        organization_id=org_id, event_types=["organization.created"], start_time=Timestamp(seconds=1)
    )
    request = events_pb2.ListEventsRequest(filter=flt, page_size=5)
    emulator.state.store._conn.set_trace_callback(traced.append)
    _assert_indexed(emulator, traced, lambda: stub.ListEvents(request))
    reply = stub.ListEvents(request)
    assert [e.type for e in reply.events] == ["organization.created"]
    assert reply.total_size == 1
    every = stub.ListEvents(
        events_pb2.ListEventsRequest(filter=events_pb2.EventFilter(organization_id=org_id))
    )
    assert reply.total_size < every.total_size  # the user's events are in the organization's list too


def test_clients_and_resources_by_type_page_on_the_index(
    emulator: Emulator, grpc_channel: grpc.Channel, traced: list[str]
) -> None:
    from scalekit_api.v1.clients import clients_pb2, clients_pb2_grpc

    stub = clients_pb2_grpc.ClientServiceStub(grpc_channel)
    for i, kind in enumerate([clients_pb2.WEB, clients_pb2.SERVER, clients_pb2.WEB]):
        spec = clients_pb2.CreateResource(name=f"idx resource {i}", resource_type=kind)
        stub.CreateResource(clients_pb2.CreateResourceRequest(resource=spec))
    web = clients_pb2.ListResourcesRequest(resource_type=clients_pb2.WEB, page_size=1)
    emulator.state.store._conn.set_trace_callback(traced.append)
    _assert_indexed(emulator, traced, lambda: stub.ListResources(web))
    assert any("tag_counts" in q for q in traced), traced  # a type's count is kept with the index
    names, token = [], ""
    while True:
        web.page_token = token
        reply = stub.ListResources(web)
        names += [r.name for r in reply.resources if r.name.startswith("idx resource")]
        token = reply.next_page_token
        if not token:
            break
    assert names == ["idx resource 0", "idx resource 2"]
    for i, client_type in enumerate(["WEB_APP", "SPA", "WEB_APP"]):
        client = clients_pb2.CreateClient(name=f"idx client {i}", client_type=client_type)
        stub.CreateClient(clients_pb2.CreateClientRequest(client=client))
    every = stub.ListClient(clients_pb2.ListClientsRequest(page_size=30)).clients
    for client_type in ("WEB_APP", "SPA"):
        only = clients_pb2.ListClientsRequest(
            filter=clients_pb2.ListClientsRequest.Filter(client_type=[client_type])
        )
        _assert_indexed(emulator, traced, functools.partial(stub.ListClient, only))
        clients = stub.ListClient(only)
        assert {c.client_type for c in clients.clients} == {client_type}
        assert clients.total_size == sum(c.client_type == client_type for c in every) >= 1
