"""Tool runners: the built-in tools run locally and deterministically; tools of custom providers whose
definition has an ``x-http`` entry (``{"method": "POST", "path": "/items/{id}"}``) call the provider's
upstream with the connected account's credentials.

A failure of the tool itself raises :class:`ToolFailure`; the handler turns it into the service's
``TOOL_ERROR`` (with ``ToolErrorInfo``). Upstream answers: 401 -> UNAUTHENTICATED, 403 ->
PERMISSION_DENIED, 429 -> RESOURCE_EXHAUSTED, any other >= 400 -> FAILED_PRECONDITION (tool error code
``HTTP_<status>``); an unreachable or slow upstream -> UNAVAILABLE (``UPSTREAM_UNREACHABLE`` /
``UPSTREAM_TIMEOUT``).
"""

from __future__ import annotations

import ast
import json
import operator
import urllib.parse
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from connectrpc.code import Code
from google.protobuf import json_format, struct_pb2

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.providers import providers_pb2
from scalekit_py.emulator.agentkit import accounts, upstream
from scalekit_py.emulator.services._base import new_id
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Tx

__all__ = ["LOCAL", "NOTE_KIND", "ToolFailure", "run_http", "run_local"]

NOTE_KIND = "ak_note"


class ToolFailure(Exception):
    """The tool ran and failed (``code``: the gRPC status to answer with)."""

    def __init__(self, code: Code, tool_error_code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.tool_error_code, self.message = code, tool_error_code, message


Runner = Callable[[Tx, EmulatorState, ca_pb.ConnectedAccount, dict[str, Any]], dict[str, Any]]


def _note(tx: Tx, account: ca_pb.ConnectedAccount, note_id: str) -> dict[str, Any]:
    doc = tx.get(NOTE_KIND, note_id, struct_pb2.Struct)
    if doc is None or tx.parent_of(NOTE_KIND, note_id) != account.id:
        raise ToolFailure(Code.FAILED_PRECONDITION, "NOTE_NOT_FOUND", f"no note {note_id!r}")
    return json_format.MessageToDict(doc)


def _notes_create(
    tx: Tx, state: EmulatorState, account: ca_pb.ConnectedAccount, p: dict[str, Any]
) -> dict[str, Any]:
    note = {
        "id": new_id("note"),
        "title": p["title"],
        "body": p.get("body", ""),
        "tags": list(p.get("tags", [])),
        "created_at": datetime.fromtimestamp(state.clock(), timezone.utc).isoformat(),
    }
    doc = struct_pb2.Struct()
    doc.update(note)
    tx.insert(NOTE_KIND, note["id"], doc, parent=account.id)
    return note


def _notes_list(
    tx: Tx, state: EmulatorState, account: ca_pb.ConnectedAccount, p: dict[str, Any]
) -> dict[str, Any]:
    notes = [json_format.MessageToDict(d) for d in tx.all(NOTE_KIND, struct_pb2.Struct, parent=account.id)]
    notes.reverse()
    if p.get("tag"):
        notes = [n for n in notes if p["tag"] in n.get("tags", [])]
    notes = notes[: int(p.get("limit", 20))]
    return {"notes": notes, "count": len(notes)}


def _notes_get(
    tx: Tx, state: EmulatorState, account: ca_pb.ConnectedAccount, p: dict[str, Any]
) -> dict[str, Any]:
    return _note(tx, account, p["note_id"])


def _notes_delete(
    tx: Tx, state: EmulatorState, account: ca_pb.ConnectedAccount, p: dict[str, Any]
) -> dict[str, Any]:
    _note(tx, account, p["note_id"])
    tx.delete(NOTE_KIND, p["note_id"])
    return {"deleted": True, "note_id": p["note_id"]}


_OPS: dict[type, Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        return float(_OPS[type(node.op)](_evaluate(node.operand)))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 1e6):
            raise ToolFailure(Code.FAILED_PRECONDITION, "RESULT_TOO_LARGE", "the power is too large")
        return float(_OPS[type(node.op)](left, right))
    raise ToolFailure(Code.FAILED_PRECONDITION, "INVALID_EXPRESSION", "only numbers and + - * / // % ** ( )")


def _calculator(
    tx: Tx, state: EmulatorState, account: ca_pb.ConnectedAccount, p: dict[str, Any]
) -> dict[str, Any]:
    try:
        result = _evaluate(ast.parse(p["expression"], mode="eval"))
    except SyntaxError:
        raise ToolFailure(
            Code.FAILED_PRECONDITION, "INVALID_EXPRESSION", "the expression does not parse"
        ) from None
    except ZeroDivisionError:
        raise ToolFailure(Code.FAILED_PRECONDITION, "DIVISION_BY_ZERO", "division by zero") from None
    except OverflowError:
        raise ToolFailure(Code.FAILED_PRECONDITION, "RESULT_TOO_LARGE", "the result is too large") from None
    return {"expression": p["expression"], "result": result}


def _echo(tx: Tx, state: EmulatorState, account: ca_pb.ConnectedAccount, p: dict[str, Any]) -> dict[str, Any]:
    repeat = int(p.get("repeat", 1))
    return {"message": p["message"], "repeat": repeat, "echoed": [p["message"]] * repeat}


def _whoami(
    tx: Tx, state: EmulatorState, account: ca_pb.ConnectedAccount, p: dict[str, Any]
) -> dict[str, Any]:
    token = account.authorization_details.oauth_token.access_token
    return {
        "identifier": account.identifier,
        "connected_account_id": account.id,
        "connector": account.connector,
        "token_fingerprint": accounts.fingerprint(token) if token else "",
    }


LOCAL: dict[str, Runner] = {
    "notes_create": _notes_create,
    "notes_list": _notes_list,
    "notes_get": _notes_get,
    "notes_delete": _notes_delete,
    "calculator_evaluate": _calculator,
    "echo": _echo,
    "toolbox_whoami": _whoami,
}


def run_local(
    tx: Tx, state: EmulatorState, name: str, account: ca_pb.ConnectedAccount, params: dict[str, Any]
) -> dict[str, Any]:
    """Run a built-in tool inside the caller's transaction."""
    return LOCAL[name](tx, state, account, params)


_HTTP_CODES = {401: Code.UNAUTHENTICATED, 403: Code.PERMISSION_DENIED, 429: Code.RESOURCE_EXHAUSTED}


async def run_http(
    state: EmulatorState,
    spec: dict[str, Any],
    account: ca_pb.ConnectedAccount,
    provider: providers_pb2.Provider,
    params: dict[str, Any],
) -> dict[str, Any]:
    """Run an ``x-http`` tool: one request to the provider's upstream (no transaction held)."""
    method = str(spec.get("method", "POST")).upper()
    path = str(spec.get("path", "/"))
    rest = dict(params)
    for name in list(rest):
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", urllib.parse.quote(str(rest.pop(name)), safe=""))
    query, body = "", b""
    if method in ("GET", "DELETE", "HEAD"):
        query = urllib.parse.urlencode(
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in rest.items()}
        )
    else:
        body = json.dumps(rest).encode()
    try:
        url = upstream.target_url(provider.proxy_url, path, query)
        answer = await upstream.forward(
            method,
            url,
            headers=[("content-type", "application/json")] if body else [],
            inject=accounts.credential_headers(account, provider),
            body=body,
            timeout=state.upstream_timeout,
            ca_file=state.upstream_ca_file,
        )
    except ValueError as exc:
        raise ToolFailure(Code.FAILED_PRECONDITION, "NO_UPSTREAM", str(exc)) from None
    except upstream.UpstreamError as exc:
        raise ToolFailure(Code.UNAVAILABLE, exc.code, exc.message) from None
    text = answer.body.decode("utf-8", "replace")
    if answer.status >= 400:
        code = _HTTP_CODES.get(answer.status, Code.FAILED_PRECONDITION)
        raise ToolFailure(code, f"HTTP_{answer.status}", text[:500] or f"HTTP {answer.status}")
    try:
        decoded: Any = json.loads(text) if text else None
    except ValueError:
        decoded = text
    return {"status": answer.status, "body": decoded}
