"""ToolService: the AgentKit tool catalogue and tool execution (model: ``emulator.agentkit``).

``ExecuteTool`` checks, in order: the tool exists (NOT_FOUND), the input matches its JSON schema
(INVALID_ARGUMENT with one field violation per problem, ``params.<field>``), the connected account exists
(NOT_FOUND) and is ACTIVE (FAILED_PRECONDITION, ``CONNECTED_ACCOUNT_NOT_ACTIVE``); an expired third-party
token is refreshed first. A failure of the tool itself is ``TOOL_ERROR`` with ``ToolErrorInfo``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from google.protobuf.empty_pb2 import Empty

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.tools import tools_connect
from scalekit_api.v1.tools import tools_pb2 as pb
from scalekit_py.emulator import _status
from scalekit_py.emulator.agentkit import accounts, catalogue, execute, paging
from scalekit_py.emulator.services._base import Events, Service, handler, new_id, require_fields
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Tx

KIND = catalogue.TOOL_KIND
_READINESS = {
    ca_pb.ACTIVE: pb.TOOL_READINESS_STATE_READY,
    ca_pb.EXPIRED: pb.TOOL_READINESS_STATE_NEEDS_REAUTH,
}


def _accounts_of(tx: Tx, identifier: str, active_only: bool = False) -> list[ca_pb.ConnectedAccount]:
    """The accounts of one identifier, in creation order (an index read: one per connector at most)."""
    found = tx.select(accounts.KIND, ca_pb.ConnectedAccount, Match(f"identifier:{identifier}"))
    return [a for a in found if a.status == ca_pb.ACTIVE] if active_only else found


def _accounts_for(tx: Tx, f: pb.Filter) -> list[ca_pb.ConnectedAccount]:
    """The accounts a filter's account fields select, starting from the narrowest index."""
    if f.connected_account_id:
        one = tx.get(accounts.KIND, f.connected_account_id, ca_pb.ConnectedAccount)
        found = [one] if one is not None else []
    elif f.identifier:
        found = _accounts_of(tx, f.identifier)
    else:
        tag = f"org:{f.organization_id}" if f.organization_id else f"user:{f.user_id}"
        owned = tx.index_ids(accounts.OWNER_KIND, Match(tag))
        found = tx.get_many(accounts.KIND, ca_pb.ConnectedAccount, owned)
    return [
        a
        for a in found
        if (not f.identifier or a.identifier == f.identifier)
        and (not f.connected_account_id or a.id == f.connected_account_id)
        and (not f.organization_id or accounts.owner(tx, a.id)["organization_id"] == f.organization_id)
        and (not f.user_id or accounts.owner(tx, a.id)["user_id"] == f.user_id)
    ]


def _tools(
    tx: Tx, providers: set[str] | None, names: set[str] | None = None, query: str = ""
) -> list[paging.Segment]:
    """The catalogue's tools of ``providers`` (upper case; None: every provider), named one of ``names``
    (None: any), whose search text contains ``query`` (lower case): the built-ins, then the stored ones.

    The stored ones page on the index (``provider:<P>`` lists merged, or ``""``); a ``names`` filter reads
    the named tools by their unique name instead (a handful)."""

    def wanted(tool: pb.Tool) -> bool:
        return (
            (providers is None or tool.provider.upper() in providers)
            and (names is None or catalogue.tool_name(tool) in names)
            and (not query or query in catalogue.search_text(tool))
        )

    builtins = paging.Items([t for t in catalogue.DEFAULT_TOOLS if wanted(t)])
    if names is not None:
        named = (tx.find(KIND, "name", n, pb.Tool) for n in names)
        stored = tx.get_many(KIND, pb.Tool, (t.id for t in named if t is not None))
        return [builtins, paging.Items([t for t in stored if wanted(t)])]
    contains = query or None
    tags = [""] if providers is None else [f"provider:{p}" for p in sorted(providers)]
    matches = tuple(Match(tag, contains=contains) for tag in tags)
    return [builtins, paging.Stored(KIND, pb.Tool, matches)]


def _filtered(tx: Tx, f: pb.Filter) -> list[paging.Segment]:
    """``ListTools``' list: every filter narrows the set of providers, then names and the query."""
    providers: set[str] | None = None

    def narrow(to: set[str]) -> None:
        nonlocal providers
        providers = to if providers is None else providers & to

    if f.provider:
        narrow({f.provider.upper()})
    if f.connector:
        provider = catalogue.provider_for_connector(tx, f.connector)
        narrow({provider.identifier.upper()} if provider is not None else set())
    if f.identifier or f.organization_id or f.user_id or f.connected_account_id:
        narrow({a.provider.upper() for a in _accounts_for(tx, f)})
    names = set(f.tool_name) if f.tool_name else None
    return _tools(tx, providers, names, f.query.lower())


def _score(query: str, tool: pb.Tool) -> float:
    words = set(re.findall(r"[a-z0-9]+", query.lower()))
    have = set(re.findall(r"[a-z0-9]+", catalogue.search_text(tool)))
    return round(len(words & have) / len(words), 4) if words else 0.0


def _checked_definition(tool: pb.Tool) -> dict[str, Any]:
    d = catalogue.definition(tool)
    require_fields(**{"tool.definition.name": str(d.get("name", ""))})
    if "input_schema" in d and not isinstance(d["input_schema"], dict):
        raise _status.invalid_argument([("tool.definition.input_schema", "must be a JSON object", "type")])
    return d


def _stored(tx: Tx, tool_id: str) -> pb.Tool:
    tool = tx.get(KIND, tool_id, pb.Tool)
    if tool is None:
        if any(t.id == tool_id for t in catalogue.BUILTIN_TOOLS):
            raise _status.failed_precondition(f"{tool_id} is a built-in tool: it cannot change")
        raise _status.not_found("tool", tool_id)
    return tool


class ToolService(Service, tools_connect.ToolService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    @handler
    async def create_tool(
        self, request: pb.CreateToolRequest, ctx: Any, events: Events
    ) -> pb.CreateToolResponse:
        tool = pb.Tool()
        tool.CopyFrom(request.tool)
        name = _checked_definition(tool)["name"]
        with self.state.store.transaction() as tx:
            provider = catalogue.provider_named(tx, tool.provider)
            if provider is None:
                raise _status.not_found("provider", tool.provider)
            if catalogue.tool_named(tx, name) is not None:
                raise _status.already_exists("tool", f"named {name!r}")
            tool.id, tool.provider = new_id("tol"), provider.identifier
            tool.is_default.value = True
            tool.updated_at.CopyFrom(self.now())
            tx.insert(KIND, tool.id, tool, parent=provider.identifier, unique={"name": name})
        return pb.CreateToolResponse(tool=tool)

    @handler
    async def list_tools(
        self, request: pb.ListToolsRequest, ctx: Any, events: Events
    ) -> pb.ListToolsResponse:
        with self.state.store.transaction() as tx:
            page = paging.page(tx, _filtered(tx, request.filter), request.page_size, request.page_token)
        if request.filter.summary.value:
            names = [catalogue.tool_name(t) for t in page.items]  # type: ignore[arg-type]
            return pb.ListToolsResponse(tool_names=names, **page.cursor())
        return pb.ListToolsResponse(tools=page.items, **page.cursor())  # type: ignore[arg-type]

    @handler
    async def list_scoped_tools(
        self, request: pb.ListScopedToolsRequest, ctx: Any, events: Events
    ) -> pb.ListScopedToolsResponse:
        require_fields(identifier=request.identifier)
        f = request.filter
        connections = {n.lower() for n in f.connection_names}
        wanted = {p.upper() for p in f.providers}
        names = set(f.tool_names) if f.tool_names else None
        with self.state.store.transaction() as tx:
            # One pair of segments (built-ins, stored) per active account, in account order.
            owners: list[ca_pb.ConnectedAccount] = []
            segments: list[paging.Segment] = []
            for account in _accounts_of(tx, request.identifier, active_only=True):
                provider = account.provider.upper()
                if (connections and account.connector not in connections) or (
                    wanted and provider not in wanted
                ):
                    continue
                segments.extend(_tools(tx, {provider}, names))
                owners.extend([account, account])
            page = paging.page(tx, segments, request.page_size, request.page_token)
        scoped = [
            pb.ScopedTool(tool=tool, identifier=owners[i].identifier, connected_account_id=owners[i].id)  # type: ignore[arg-type]
            for tool, i in zip(page.items, page.segments, strict=True)
        ]
        return pb.ListScopedToolsResponse(tools=scoped, **page.cursor())

    @handler
    async def list_available_tools(
        self, request: pb.ListAvailableToolsRequest, ctx: Any, events: Events
    ) -> pb.ListAvailableToolsResponse:
        require_fields(identifier=request.identifier)
        with self.state.store.transaction() as tx:
            providers = {a.provider.upper() for a in _accounts_of(tx, request.identifier, active_only=True)}
            page = paging.page(tx, _tools(tx, providers), request.page_size, request.page_token)
        return pb.ListAvailableToolsResponse(tools=page.items, **page.cursor())  # type: ignore[arg-type]

    @handler
    async def search_tools(
        self, request: pb.SearchToolsRequest, ctx: Any, events: Events
    ) -> pb.SearchToolsResponse:
        require_fields(query=request.query.strip())
        if request.top_k > 50:
            raise _status.invalid_argument([("top_k", "must be at most 50", "lte")])
        with self.state.store.transaction() as tx:
            ranked = sorted(
                ((s, t) for t in catalogue.all_tools(tx) if (s := _score(request.query, t)) > 0),
                key=lambda pair: (-pair[0], catalogue.tool_name(pair[1])),
            )[: request.top_k or 10]
            mine = _accounts_of(tx, request.identifier) if request.HasField("identifier") else []
        results = []
        for score, tool in ranked:
            d = catalogue.definition(tool)
            result = pb.SearchedTool(
                name=catalogue.tool_name(tool),
                provider=tool.provider,
                description=str(d.get("description", "")),
                score=score,
            )
            for account in (a for a in mine if a.provider.upper() == tool.provider.upper()):
                readiness = _READINESS.get(account.status, pb.TOOL_READINESS_STATE_NEEDS_CONNECTION)
                result.connections.add(
                    connection_name=account.connector,
                    connected_account_id=account.id,
                    readiness_state=readiness,
                )
            results.append(result)
        return pb.SearchToolsResponse(tools=results)

    @handler
    async def set_tool_default(
        self, request: pb.SetToolDefaultRequest, ctx: Any, events: Events
    ) -> pb.SetToolDefaultResponse:
        require_fields(name=request.name)
        with self.state.store.transaction() as tx:
            tool = catalogue.tool_named(tx, request.name)
            if tool is None:
                raise _status.not_found("tool", request.name)
            stored = tx.get(KIND, tool.id, pb.Tool) is not None
            for key in ("schema_version", "tool_version"):
                if getattr(request, key):
                    tool.metadata.update({key: getattr(request, key)})
            tool.is_default.value = True
            if stored:
                tool.updated_at.CopyFrom(self.now())
                tx.update(KIND, tool.id, tool)
        return pb.SetToolDefaultResponse(tool=tool)

    @handler
    async def update_tool(
        self, request: pb.UpdateToolRequest, ctx: Any, events: Events
    ) -> pb.UpdateToolResponse:
        require_fields(**{"tool.id": request.tool.id})
        body = request.tool
        with self.state.store.transaction() as tx:
            tool = _stored(tx, body.id)
            if body.HasField("definition"):
                name = _checked_definition(body)["name"]
                other = catalogue.tool_named(tx, name)
                if other is not None and other.id != tool.id:
                    raise _status.already_exists("tool", f"named {name!r}")
                tool.definition.CopyFrom(body.definition)
            if body.HasField("metadata"):
                tool.metadata.CopyFrom(body.metadata)
            if body.tags:
                tool.tags[:] = list(body.tags)
            tool.updated_at.CopyFrom(self.now())
            tx.update(KIND, tool.id, tool, unique={"name": catalogue.tool_name(tool)})
        return pb.UpdateToolResponse(tool=tool)

    @handler
    async def delete_tool(self, request: pb.DeleteToolRequest, ctx: Any, events: Events) -> Empty:
        with self.state.store.transaction() as tx:
            tx.delete(KIND, _stored(tx, request.id).id)
        return Empty()

    @handler
    async def execute_tool(
        self, request: pb.ExecuteToolRequest, ctx: Any, events: Events
    ) -> pb.ExecuteToolResponse:
        return await execute.execute(self.state, request)

    @handler
    async def refresh_tools(
        self, request: pb.RefreshToolsRequest, ctx: Any, events: Events
    ) -> pb.RefreshToolsResponse:
        with self.state.store.transaction() as tx:
            account = accounts.select(
                tx,
                account_id=request.connected_account_id,
                connector=request.connector,
                identifier=request.identifier,
                organization_id=request.organization_id,
                user_id=request.user_id,
            )
            tools = catalogue.tools_of(tx, account.provider)
        return pb.RefreshToolsResponse(tools=tools, total_size=len(tools))


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return tools_connect.ToolServiceASGIApplication(ToolService(state), interceptors=interceptors)
