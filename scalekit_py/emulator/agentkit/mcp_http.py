"""A minimal MCP server (JSON-RPC over HTTP POST, MCP "streamable HTTP" without streaming) for AgentKit.

==========================================  =============================================================
``POST /mcp/configs/<config id>``           the tools an MCP configuration maps, for the token's user
``POST /mcp/instances/<instance id>``       the same, for the instance's configuration and user
``POST /mcp/connections/<connection name>`` every tool of one connection, for the token's user (also
                                            at ``/mcp/v3/connections/<connection name>``)
==========================================  =============================================================

Each request needs ``Authorization: Bearer <session token>`` from ``CreateMcpSessionToken`` for that
configuration (or connection); otherwise 401. Methods: ``initialize``, ``notifications/initialized``,
``ping``, ``tools/list`` (only read-only tools for a ``READ_ONLY`` token) and ``tools/call``, which runs
the tool like ``ExecuteTool``. A tool that fails, or a user who has not connected the account yet, gives a
result with ``isError: true`` (the text then carries a consent link), not a JSON-RPC error.
"""

from __future__ import annotations

import json
from typing import Any

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from google.protobuf import json_format, struct_pb2
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.mcp import mcp_pb2
from scalekit_api.v1.tools import tools_pb2
from scalekit_py._version import __version__
from scalekit_py.emulator.agentkit import accounts, catalogue, consent, execute
from scalekit_py.emulator.agentkit import mcp as model
from scalekit_py.emulator.runtime import Runtime
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Tx

__all__ = ["routes"]

_PROTOCOL = "2025-03-26"


class _Scope:
    """What one session may use: the user, and the tools per connector."""

    def __init__(self, identifier: str, tools: dict[str, tuple[str, tools_pb2.Tool]]) -> None:
        self.identifier = identifier
        self.tools = tools  # tool name -> (connector, tool)


def _scope(tx: Tx, state: EmulatorState, kind: str, ident: str, token: str) -> _Scope | None:
    claims = model.session(tx, state, token)
    if claims is None:
        return None
    read_only = claims.get("access_level") == "READ_ONLY"
    identifier = str(claims["identifier"])
    pairs: list[tuple[str, str]] = []  # (connector, tool name or "*")
    if kind == "connections":
        provider = catalogue.provider_for_connector(tx, ident)
        if provider is None or claims["target"] != f"connection:{catalogue.connector_of(provider)}":
            return None
        pairs = [(catalogue.connector_of(provider), "*")]
    else:
        config_id = ident
        if kind == "instances":
            instance = tx.get(model.INSTANCE_KIND, ident, mcp_pb2.McpInstance)
            if instance is None or instance.user_identifier != identifier:
                return None
            config_id = tx.parent_of(model.INSTANCE_KIND, ident) or ""
        config = tx.get(model.CONFIG_KIND, config_id, mcp_pb2.McpConfig)
        if config is None or claims["target"] != f"config:{config.id}":
            return None
        pairs = [(m.connection_name, t) for m in config.connection_tool_mappings for t in m.tools]
    tools: dict[str, tuple[str, tools_pb2.Tool]] = {}
    for connector, wanted in pairs:
        provider = catalogue.provider_for_connector(tx, connector)
        for tool in catalogue.tools_of(tx, provider.identifier) if provider else []:
            name = catalogue.tool_name(tool)
            hint = bool(catalogue.definition(tool).get("annotations", {}).get("readOnlyHint"))
            if wanted in ("*", name) and (hint or not read_only):
                tools[name] = (connector, tool)
    return _Scope(identifier, tools)


def _listing(scope: _Scope) -> dict[str, Any]:
    out = []
    for name, (_, tool) in scope.tools.items():
        d = catalogue.definition(tool)
        out.append(
            {
                "name": name,
                "description": d.get("description", ""),
                "inputSchema": d.get("input_schema", {"type": "object"}),
                "annotations": d.get("annotations", {}),
            }
        )
    return {"tools": out}


def _text(text: str, error: bool, structured: dict[str, Any] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"content": [{"type": "text", "text": text}], "isError": error}
    if structured is not None:
        result["structuredContent"] = structured
    return result


async def _call(state: EmulatorState, scope: _Scope, params: dict[str, Any]) -> dict[str, Any] | None:
    name = params.get("name")
    if not isinstance(name, str) or name not in scope.tools:
        return None
    connector, _ = scope.tools[name]
    arguments = params.get("arguments") or {}
    request = tools_pb2.ExecuteToolRequest(tool_name=name, identifier=scope.identifier, connector=connector)
    if isinstance(arguments, dict):
        request.params.CopyFrom(_struct(arguments))
    try:
        response = await execute.execute(state, request)
    except ConnectError as exc:
        if exc.code in (Code.NOT_FOUND, Code.FAILED_PRECONDITION) and "connected account" in exc.message:
            link = _consent_link(state, connector, scope.identifier)
            if link:
                return _text(f"{exc.message}. Connect {connector} first: {link}", True)
        return _text(exc.message, True)
    data = json_format.MessageToDict(response.data)
    return _text(json.dumps(data), False, data)


def _struct(data: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(data)
    return out


def _consent_link(state: EmulatorState, connector: str, identifier: str) -> str:
    """A consent link for the user's account on ``connector`` (created pending when missing)."""
    with state.store.transaction() as tx:
        try:
            account = accounts.select(tx, connector=connector, identifier=identifier)
        except ConnectError:
            account = accounts.create(tx, state, connector=connector, identifier=identifier)
        if account.status == ca_pb.ACTIVE:
            return ""
        link, _ = consent.magic_link(tx, state, account)
    return link


def _rpc(ident: Any, result: Any = None, error: tuple[int, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": ident}
    if error is not None:
        body["error"] = {"code": error[0], "message": error[1]}
    else:
        body["result"] = result
    return JSONResponse(body)


def routes(rt: Runtime) -> list[Route]:
    """The MCP endpoint bound to one emulator's runtime."""
    state = rt.state

    async def serve(request: Request) -> Response:
        raw = await request.body()
        kind, ident = request.path_params.get("kind", "connections"), request.path_params["ident"]
        if kind not in ("configs", "instances", "connections"):
            return JSONResponse({"error": "not_found"}, 404)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        with state.store.transaction() as tx:
            scope = _scope(tx, state, kind, ident, token.strip()) if scheme.lower() == "bearer" else None
        if scope is None:
            challenge = (
                'Bearer error="invalid_token", error_description="a session token of this server is needed"'
            )
            return JSONResponse({"error": "invalid_token"}, 401, headers={"WWW-Authenticate": challenge})
        try:
            message = json.loads(raw)
        except ValueError:
            return _rpc(None, error=(-32700, "parse error"))
        if (
            not isinstance(message, dict)
            or message.get("jsonrpc") != "2.0"
            or not isinstance(message.get("method"), str)
        ):
            return _rpc(None, error=(-32600, "invalid request (batches are not supported)"))
        method, ident_, params = message["method"], message.get("id"), message.get("params") or {}
        if "id" not in message:
            return Response(status_code=202)  # a notification, e.g. notifications/initialized
        if method == "initialize":
            version = params.get("protocolVersion") if isinstance(params, dict) else None
            return _rpc(
                ident_,
                {
                    "protocolVersion": version or _PROTOCOL,
                    "capabilities": {"tools": {"listChanged": False}},
                    "serverInfo": {"name": "scalekit-emulator", "version": __version__},
                },
            )
        if method == "ping":
            return _rpc(ident_, {})
        if method == "tools/list":
            return _rpc(ident_, _listing(scope))
        if method == "tools/call" and isinstance(params, dict):
            result = await _call(state, scope, params)
            if result is None:
                return _rpc(ident_, error=(-32602, f"unknown tool {params.get('name')!r}"))
            return _rpc(ident_, result)
        return _rpc(ident_, error=(-32601, f"method {method!r} not found"))

    return [
        Route("/mcp/v3/connections/{ident:str}", serve, methods=["POST"]),
        Route("/mcp/{kind:str}/{ident:str}", serve, methods=["POST"]),
    ]
