"""The AgentKit catalogue lists (``ListTools``, ``ListScopedTools``, ``ListAvailableTools``,
``ListProviders``) page in SQL: built-ins in memory chained with the stored lists on the list index.

Two checks. The pages equal those of the former implementation (every built-in and stored entry built in
Python, filtered, then cut at offsets; re-implemented below as the reference) for a mix of built-in and
stored entries under many filters, walking forward and back. And every paging query reads the index by
its key (``_assert_indexed`` of ``test_list_index``: no table scan, no temp b-tree).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import grpc
import pytest
from google.protobuf import struct_pb2
from google.protobuf.message import Message

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.connected_accounts import connected_accounts_pb2_grpc as ca_grpc
from scalekit_api.v1.providers import providers_pb2 as prv_pb
from scalekit_api.v1.providers import providers_pb2_grpc as prv_grpc
from scalekit_api.v1.tools import tools_pb2 as pb
from scalekit_api.v1.tools import tools_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.agentkit import accounts, catalogue
from scalekit_py.emulator.store import Tx
from tests.emulator.test_list_index import _assert_indexed, traced

__all__ = ["traced"]  # the fixture, shared with test_list_index

T = TypeVar("T")

# --- the former implementation: whole lists in Python ------------------------------------------------------


def _all_tools(tx: Tx) -> list[pb.Tool]:
    builtins = []
    for tool in catalogue.BUILTIN_TOOLS:
        copy = pb.Tool()
        copy.CopyFrom(tool)
        copy.is_default.value = True
        builtins.append(copy)
    return [*builtins, *tx.all(catalogue.TOOL_KIND, pb.Tool)]


def _all_providers(tx: Tx) -> list[prv_pb.Provider]:
    return [*catalogue.BUILTIN_PROVIDERS, *tx.all(catalogue.PROVIDER_KIND, prv_pb.Provider)]


def _provider_for_connector(tx: Tx, connector: str) -> prv_pb.Provider | None:
    wanted = connector.lower()
    return next(
        (
            p
            for p in _all_providers(tx)
            if wanted in (catalogue.connector_of(p), catalogue.connection_id(p).lower())
        ),
        None,
    )


def _accounts_of(tx: Tx, identifier: str, active_only: bool = False) -> list[ca_pb.ConnectedAccount]:
    found = [a for a in tx.all(accounts.KIND, ca_pb.ConnectedAccount) if a.identifier == identifier]
    return [a for a in found if a.status == ca_pb.ACTIVE] if active_only else found


def _of_provider(tx: Tx, providers: set[str]) -> list[pb.Tool]:
    return [t for t in _all_tools(tx) if t.provider.upper() in providers]


def _text(tool: pb.Tool) -> str:
    d = catalogue.definition(tool)
    return f"{d.get('name', '')} {d.get('description', '')} {' '.join(tool.tags)} {tool.provider}".lower()


def old_list_tools(tx: Tx, f: pb.Filter) -> list[pb.Tool]:
    tools = _all_tools(tx)
    if f.provider:
        tools = [t for t in tools if t.provider.upper() == f.provider.upper()]
    if f.connector:
        provider = _provider_for_connector(tx, f.connector)
        tools = [t for t in tools if provider is not None and t.provider == provider.identifier]
    if f.identifier or f.organization_id or f.user_id or f.connected_account_id:
        mine = [
            a
            for a in tx.all(accounts.KIND, ca_pb.ConnectedAccount)
            if (not f.identifier or a.identifier == f.identifier)
            and (not f.connected_account_id or a.id == f.connected_account_id)
            and (not f.organization_id or accounts.owner(tx, a.id)["organization_id"] == f.organization_id)
            and (not f.user_id or accounts.owner(tx, a.id)["user_id"] == f.user_id)
        ]
        providers = {a.provider.upper() for a in mine}
        tools = [t for t in tools if t.provider.upper() in providers]
    if f.tool_name:
        tools = [t for t in tools if catalogue.tool_name(t) in set(f.tool_name)]
    if f.query:
        tools = [t for t in tools if f.query.lower() in _text(t)]
    return tools


def old_scoped_tools(tx: Tx, identifier: str, f: pb.ScopedToolFilter) -> list[pb.ScopedTool]:
    return [
        pb.ScopedTool(tool=tool, identifier=account.identifier, connected_account_id=account.id)
        for account in _accounts_of(tx, identifier, active_only=True)
        if not f.connection_names or account.connector in {n.lower() for n in f.connection_names}
        for tool in _of_provider(tx, {account.provider.upper()})
        if (not f.providers or tool.provider.upper() in {p.upper() for p in f.providers})
        and (not f.tool_names or catalogue.tool_name(tool) in set(f.tool_names))
    ]


def old_available_tools(tx: Tx, identifier: str) -> list[pb.Tool]:
    return _of_provider(tx, {a.provider.upper() for a in _accounts_of(tx, identifier, active_only=True)})


def old_providers(tx: Tx, request: prv_pb.ListProvidersRequest) -> list[prv_pb.Provider]:
    kind = request.filter.provider_type if request.HasField("filter") else prv_pb.ALL
    return [
        p
        for p in _all_providers(tx)
        if (kind == prv_pb.ALL or p.is_custom == (kind == prv_pb.CUSTOM))
        and (not request.identifier or p.identifier.upper() == request.identifier.upper())
    ]


# --- the catalogue under test -------------------------------------------------------------------------------


def _struct(data: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(data)
    return out


@pytest.fixture(scope="module")
def world(emulator: Emulator, grpc_channel: grpc.Channel) -> dict[str, str]:
    """Providers (custom and platform), their tools created interleaved (some changed or deleted later),
    and connected accounts of three identifiers (active and pending, with and without owners)."""
    providers = prv_grpc.ProviderServiceStub(grpc_channel)
    tools = tools_pb2_grpc.ToolServiceStub(grpc_channel)
    cas = ca_grpc.ConnectedAccountServiceStub(grpc_channel)
    bearer: dict[str, Any] = {"type": "BEARER", "display_name": "Token", "fields": [{"field_name": "token"}]}
    names = []
    for i in range(4):
        spec = prv_pb.CreateCustomProvider(display_name=f"Listing Crm {i}")
        spec.auth_patterns.add_struct().update(bearer)
        made = providers.CreateCustomProvider(prv_pb.CreateCustomProviderRequest(provider=spec))
        names.append(made.provider.identifier)
    platform = prv_pb.CreateProvider(identifier="LISTING_PLATFORM", display_name="Platform")
    platform.auth_patterns.add_struct().update(bearer)
    providers.CreateProvider(prv_pb.CreateProviderRequest(provider=platform))
    names.append("LISTING_PLATFORM")
    made_tools = []
    for i in range(23):
        provider = names[i % 3 if i % 5 else 4]
        word = "alpha" if i % 4 == 0 else "beta"
        definition = _struct({"name": f"listing_tool_{i:02d}", "description": f"{word} tool number {i}"})
        tool = pb.Tool(provider=provider.lower() if i % 6 == 0 else provider, definition=definition)
        tool.tags.extend(["crm", f"t{i % 3}"])
        made_tools.append(tools.CreateTool(pb.CreateToolRequest(tool=tool)).tool)
    for tool in made_tools[::7]:
        tools.UpdateTool(
            pb.UpdateToolRequest(
                tool=pb.Tool(id=tool.id, definition=tool.definition, tags=["alpha", "changed"])
            )
        )
    for tool in made_tools[3::8]:
        tools.DeleteTool(pb.DeleteToolRequest(id=tool.id))
    active = ca_pb.AuthorizationDetails(static_auth=ca_pb.StaticAuth(details=_struct({"token": "t"})))
    oauth = ca_pb.AuthorizationDetails(oauth_token=ca_pb.OauthToken(access_token="at"))
    ids: dict[str, str] = {}
    for who, connector, details, owner in [
        ("listing-alice", names[1].lower(), active, ("org_listing", "usr_alice")),
        ("listing-bob", "toolbox", oauth, ("org_listing", "usr_bob")),
        ("listing-alice", "notes", oauth, ("org_listing", "usr_alice")),
        ("listing-alice", names[2].lower(), ca_pb.AuthorizationDetails(), ("", "usr_alice")),
        ("listing-bob", names[1].lower(), active, ("", "")),
        ("listing-alice", "listing_platform", active, ("org_other", "")),
        ("listing-carol", names[0].lower(), ca_pb.AuthorizationDetails(), ("", "")),
    ]:
        body = ca_pb.CreateConnectedAccount(authorization_details=details)
        reply = cas.CreateConnectedAccount(
            ca_pb.CreateConnectedAccountRequest(
                connector=connector,
                identifier=who,
                organization_id=owner[0],
                user_id=owner[1],
                connected_account=body,
            )
        )
        ids[f"{who}/{connector}"] = reply.connected_account.id
    return {"crm0": names[0], "crm1": names[1], "crm2": names[2], **ids}


def _walk(call: Callable[[str, int], Any], items: Callable[[Any], Sequence[T]], size: int) -> list[Any]:
    """Every page forward, then back from the last along the previous-page tokens: (items, total)."""
    pages, token, replies = [], "", []
    while True:
        reply = call(token, size)
        replies.append(reply)
        pages.append((list(items(reply)), reply.total_size))
        if not reply.next_page_token:
            break
        token = reply.next_page_token
        assert len(pages) < 500, "the next-page tokens do not end"
    backward: list[tuple[list[Any], int]] = []
    reply = replies[-1]
    while reply.prev_page_token:
        assert len(backward) < len(pages), "the previous-page tokens go back past the first page"
        reply = call(reply.prev_page_token, size)
        backward.append((list(items(reply)), reply.total_size))
    assert backward == pages[-2::-1], "walking back gives the same pages"
    assert replies[0].prev_page_token == ""
    return pages


def _chunks(items: Sequence[T], size: int) -> list[tuple[list[T], int]]:
    if not items:
        return [([], 0)]
    return [(list(items[i : i + size]), len(items)) for i in range(0, len(items), size)]


def _check(
    emulator: Emulator, call: Callable[[str, int], Any], items: Callable[[Any], Any], old: Any
) -> None:
    with emulator.state.store.transaction() as tx:
        expected = old(tx)
    for size in (1, 2, 3, 7, 50):
        assert _walk(call, items, size) == _chunks(expected, size), size


def test_list_tools_equals_the_former_lists(
    emulator: Emulator, grpc_channel: grpc.Channel, world: dict[str, str]
) -> None:
    stub = tools_pb2_grpc.ToolServiceStub(grpc_channel)
    alice_crm1 = world[f"listing-alice/{world['crm1'].lower()}"]
    conn_id = catalogue.connection_id(prv_pb.Provider(identifier=world["crm2"]))
    filters = [
        pb.Filter(),
        pb.Filter(provider=world["crm1"].lower()),
        pb.Filter(provider="notes"),
        pb.Filter(connector=world["crm2"].lower()),
        pb.Filter(connector=conn_id.upper()),
        pb.Filter(connector="toolbox", query="ECHO"),
        pb.Filter(connector="no_such_connector"),
        pb.Filter(identifier="listing-alice"),
        pb.Filter(identifier="listing-bob", query="alpha"),
        pb.Filter(identifier="nobody"),
        pb.Filter(organization_id="org_listing"),
        pb.Filter(user_id="usr_alice", provider=world["crm2"]),
        pb.Filter(organization_id="org_listing", user_id="usr_bob"),
        pb.Filter(connected_account_id=alice_crm1),
        pb.Filter(connected_account_id=alice_crm1, identifier="listing-bob"),
        pb.Filter(tool_name=["echo", "listing_tool_04", "listing_tool_03", "listing_tool_01", "nope"]),
        pb.Filter(tool_name=["listing_tool_01", "listing_tool_02"], provider=world["crm1"]),
        pb.Filter(query="alpha"),
        pb.Filter(query="Number 1"),
        pb.Filter(query="no such words"),
        pb.Filter(provider=world["crm0"], query="changed"),
    ]
    for f in filters:

        def call(token: str, size: int, f: pb.Filter = f) -> pb.ListToolsResponse:
            return stub.ListTools(pb.ListToolsRequest(filter=f, page_size=size, page_token=token))

        _check(emulator, call, lambda r: r.tools, functools.partial(old_list_tools, f=f))


def test_scoped_and_available_tools_equal_the_former_lists(
    emulator: Emulator, grpc_channel: grpc.Channel, world: dict[str, str]
) -> None:
    stub = tools_pb2_grpc.ToolServiceStub(grpc_channel)
    scoped_filters = [
        pb.ScopedToolFilter(),
        pb.ScopedToolFilter(connection_names=[world["crm1"].upper(), "notes"]),
        pb.ScopedToolFilter(providers=["listing_platform", "NOTES"]),
        pb.ScopedToolFilter(tool_names=["notes_get", "listing_tool_01", "listing_tool_00", "echo"]),
    ]
    for who in ("listing-alice", "listing-bob", "listing-carol", "nobody"):
        for f in scoped_filters:

            def scoped(token: str, size: int, f: Any = f, who: str = who) -> pb.ListScopedToolsResponse:
                request = pb.ListScopedToolsRequest(
                    identifier=who, filter=f, page_size=size, page_token=token
                )
                return stub.ListScopedTools(request)

            old = functools.partial(old_scoped_tools, identifier=who, f=f)
            _check(emulator, scoped, lambda r: r.tools, old)

        def available(token: str, size: int, who: str = who) -> pb.ListAvailableToolsResponse:
            request = pb.ListAvailableToolsRequest(identifier=who, page_size=size, page_token=token)
            return stub.ListAvailableTools(request)

        _check(emulator, available, lambda r: r.tools, functools.partial(old_available_tools, identifier=who))


def test_list_providers_equals_the_former_lists(
    emulator: Emulator, grpc_channel: grpc.Channel, world: dict[str, str]
) -> None:
    stub = prv_grpc.ProviderServiceStub(grpc_channel)
    F = prv_pb.ListProvidersRequest.Filter
    requests = [
        prv_pb.ListProvidersRequest(),
        *(prv_pb.ListProvidersRequest(filter=F(provider_type=k)) for k in (prv_pb.ALL, prv_pb.CUSTOM)),
        prv_pb.ListProvidersRequest(filter=F(provider_type=prv_pb.DEFAULT)),
        prv_pb.ListProvidersRequest(identifier="notes"),
        prv_pb.ListProvidersRequest(identifier=world["crm1"].lower()),
        prv_pb.ListProvidersRequest(identifier=world["crm1"], filter=F(provider_type=prv_pb.DEFAULT)),
        prv_pb.ListProvidersRequest(identifier="listing_platform", filter=F(provider_type=prv_pb.DEFAULT)),
        prv_pb.ListProvidersRequest(identifier="nope"),
    ]
    for request in requests:

        def call(token: str, size: int, request: Any = request) -> prv_pb.ListProvidersResponse:
            copy = prv_pb.ListProvidersRequest()
            copy.CopyFrom(request)
            copy.page_size, copy.page_token = size, token
            return stub.ListProviders(copy)

        _check(emulator, call, lambda r: r.providers, functools.partial(old_providers, request=request))


def test_foreign_and_former_page_tokens_are_invalid_argument(grpc_channel: grpc.Channel) -> None:
    tools = tools_pb2_grpc.ToolServiceStub(grpc_channel)
    providers = prv_grpc.ProviderServiceStub(grpc_channel)
    for token in ("nope", base64.urlsafe_b64encode(b"off:2").decode().rstrip("=")):
        calls: list[Callable[[], Message]] = [
            functools.partial(tools.ListTools, pb.ListToolsRequest(filter=pb.Filter(), page_token=token)),
            functools.partial(
                tools.ListAvailableTools, pb.ListAvailableToolsRequest(identifier="x", page_token=token)
            ),
            functools.partial(
                tools.ListScopedTools,
                pb.ListScopedToolsRequest(identifier="x", filter=pb.ScopedToolFilter(), page_token=token),
            ),
            functools.partial(providers.ListProviders, prv_pb.ListProvidersRequest(page_token=token)),
        ]
        for call in calls:
            with pytest.raises(grpc.RpcError) as info:
                call()
            assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "page_token" in str(info.value.details())


def test_the_lists_page_on_the_index(
    emulator: Emulator, grpc_channel: grpc.Channel, world: dict[str, str], traced: list[str]
) -> None:
    tools = tools_pb2_grpc.ToolServiceStub(grpc_channel)
    providers = prv_grpc.ProviderServiceStub(grpc_channel)
    after_builtins = tools.ListTools(pb.ListToolsRequest(filter=pb.Filter(), page_size=8)).next_page_token
    calls: list[Callable[[], object]] = [
        lambda: tools.ListTools(pb.ListToolsRequest(filter=pb.Filter(), page_size=10)),
        lambda: tools.ListTools(
            pb.ListToolsRequest(filter=pb.Filter(), page_size=3, page_token=after_builtins)
        ),
        lambda: tools.ListTools(pb.ListToolsRequest(filter=pb.Filter(query="alpha"))),
        lambda: tools.ListTools(pb.ListToolsRequest(filter=pb.Filter(provider=world["crm1"]))),
        lambda: tools.ListTools(pb.ListToolsRequest(filter=pb.Filter(connector=world["crm2"].lower()))),
        lambda: tools.ListTools(pb.ListToolsRequest(filter=pb.Filter(identifier="listing-alice"))),
        lambda: tools.ListTools(pb.ListToolsRequest(filter=pb.Filter(organization_id="org_listing"))),
        lambda: tools.ListAvailableTools(pb.ListAvailableToolsRequest(identifier="listing-alice")),
        lambda: tools.ListScopedTools(
            pb.ListScopedToolsRequest(identifier="listing-alice", filter=pb.ScopedToolFilter())
        ),
        lambda: providers.ListProviders(prv_pb.ListProvidersRequest(page_size=3)),
        lambda: providers.ListProviders(
            prv_pb.ListProvidersRequest(
                filter=prv_pb.ListProvidersRequest.Filter(provider_type=prv_pb.CUSTOM)
            )
        ),
    ]
    for call in calls:
        _assert_indexed(emulator, traced, call)


def test_lookups_by_name_read_no_list(emulator: Emulator, world: dict[str, str]) -> None:
    seen: list[str] = []
    conn = emulator.state.store._conn
    conn.set_trace_callback(seen.append)
    try:
        with emulator.state.store.transaction() as tx:
            assert catalogue.tool_named(tx, "listing_tool_01") is not None
            assert catalogue.tool_named(tx, "echo") is not None
            assert catalogue.provider_named(tx, world["crm1"].lower()) is not None
            found = catalogue.provider_for_connector(tx, f"conn_ak_{world['crm2'].lower()}")
            assert found is not None
            assert found.identifier == world["crm2"]
    finally:
        conn.set_trace_callback(None)
    for sql in seen:
        if sql.lstrip().upper().startswith("SELECT"):
            plan = " | ".join(str(r[-1]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
            assert "SCAN" not in plan, (sql, plan)


def test_a_query_count_is_carried_until_the_tools_change(
    emulator: Emulator, grpc_channel: grpc.Channel, world: dict[str, str]
) -> None:
    stub = tools_pb2_grpc.ToolServiceStub(grpc_channel)
    request = pb.ListToolsRequest(filter=pb.Filter(query="listing"), page_size=2)
    first = stub.ListTools(request)
    assert first.total_size > 4
    counts: list[str] = []
    conn = emulator.state.store._conn
    conn.set_trace_callback(lambda sql: counts.append(sql) if "COUNT(" in sql else None)
    try:
        request.page_token = first.next_page_token
        second = stub.ListTools(request)
        assert not counts, counts  # the first page's count, carried
        definition = _struct({"name": "listing_late_tool", "description": "a late one"})
        stub.CreateTool(pb.CreateToolRequest(tool=pb.Tool(provider=world["crm0"], definition=definition)))
        request.page_token = second.next_page_token
        assert stub.ListTools(request).total_size == first.total_size + 1
        assert counts  # a tool was written: counted again
    finally:
        conn.set_trace_callback(None)


def _walk_accounts(cas: Any, request: ca_pb.ListConnectedAccountsRequest) -> tuple[list[str], set[int]]:
    """Every page of a ListConnectedAccounts walk (page size 2): the ids in order, the totals seen."""
    ids: list[str] = []
    totals: set[int] = set()
    request.page_size = 2
    while True:
        reply = cas.ListConnectedAccounts(request)
        ids.extend(a.id for a in reply.connected_accounts)
        totals.add(reply.total_size)
        if not reply.next_page_token:
            return ids, totals
        request.page_token = reply.next_page_token


def test_connected_accounts_by_owner_page_on_the_owner_index(
    emulator: Emulator, grpc_channel: grpc.Channel, world: dict[str, str], traced: list[str]
) -> None:
    cas = ca_grpc.ConnectedAccountServiceStub(grpc_channel)
    with emulator.state.store.transaction() as tx:
        stored = tx.all(accounts.KIND, ca_pb.ConnectedAccount)
        owners = {a.id: accounts.owner(tx, a.id) for a in stored}
    cases: list[dict[str, Any]] = [
        {"organization_id": "org_listing"},
        {"user_id": "usr_alice"},
        {"organization_id": "org_listing", "user_id": "usr_alice"},
        {"organization_id": "org_listing", "connector": "notes"},
        {"user_id": "usr_alice", "identifier": "listing-alice"},
        {"identifier": "listing-alice"},
        {"identifier": "listing-bob", "organization_id": "org_listing"},
        {"organization_id": "org_none"},
        {},
    ]
    for fields in cases:
        want = [
            a.id
            for a in stored
            if all(owners[a.id][k] == v for k, v in fields.items() if k in ("organization_id", "user_id"))
            and all(getattr(a, k) == v for k, v in fields.items() if k in ("connector", "identifier"))
        ]
        got, totals = _walk_accounts(cas, ca_pb.ListConnectedAccountsRequest(**fields))
        assert got == want, fields
        assert totals == {len(want)}, fields
    # An owner's list alone is an index read whose count is kept with the index: no account is decoded
    # to count it.
    by_org = ca_pb.ListConnectedAccountsRequest(organization_id="org_listing", page_size=1)
    conn = emulator.state.store._conn
    conn.set_trace_callback(traced.append)  # (tests above set their own)
    try:
        _assert_indexed(emulator, traced, lambda: cas.ListConnectedAccounts(by_org))
        assert any("tag_counts" in q for q in traced), traced
    finally:
        conn.set_trace_callback(None)
