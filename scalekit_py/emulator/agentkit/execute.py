"""Tool execution, shared by ``ExecuteTool`` and the emulator's MCP endpoint.

Checks, in order: the tool exists (NOT_FOUND), the input matches its JSON schema (INVALID_ARGUMENT, one
field violation per problem), the connected account exists (NOT_FOUND) and is ACTIVE
(FAILED_PRECONDITION, ``CONNECTED_ACCOUNT_NOT_ACTIVE``); an expired third-party token is refreshed
first. A failure of the tool itself is the service's ``TOOL_ERROR`` (:func:`_status.tool_error`).
"""

from __future__ import annotations

from typing import Any

from connectrpc.code import Code
from google.protobuf import json_format, struct_pb2

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.tools import tools_pb2 as pb
from scalekit_py.emulator import _status
from scalekit_py.emulator.agentkit import accounts, catalogue, runners, schema
from scalekit_py.emulator.services._base import new_id, require_fields, timestamp
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Tx

__all__ = ["execute"]


def _execution_account(tx: Tx, request: pb.ExecuteToolRequest, tool: pb.Tool) -> ca_pb.ConnectedAccount:
    provider = catalogue.provider_named(tx, tool.provider)
    if request.connected_account_id:
        account = accounts.select(tx, account_id=request.connected_account_id)
    else:
        require_fields(identifier=request.identifier)
        default = catalogue.connector_of(provider) if provider else ""
        account = accounts.select(
            tx,
            connector=request.connector or default,
            identifier=request.identifier,
            organization_id=request.organization_id,
            user_id=request.user_id,
        )
    if account.provider.upper() != tool.provider.upper():
        raise _status.invalid_argument(
            [
                (
                    "connector",
                    f"{catalogue.tool_name(tool)} needs a {tool.provider} account, not {account.provider}",
                    "provider",
                )
            ]
        )
    return account


async def execute(state: EmulatorState, request: pb.ExecuteToolRequest) -> pb.ExecuteToolResponse:
    """Run the tool ``request`` names with its connected account.

    Raises:
        ConnectError: the checks above, or the tool's own failure (``TOOL_ERROR``).
    """
    params = json_format.MessageToDict(request.params)
    execution_id = new_id("exec")
    with state.store.transaction() as tx:
        tool = catalogue.tool_named(tx, request.tool_name)
        if tool is None:
            raise _status.not_found("tool", request.tool_name)
        spec = catalogue.definition(tool)
        violations = schema.check(spec.get("input_schema", {"type": "object"}), params)
        if violations:
            raise _status.invalid_argument(violations)
        account = _execution_account(tx, request, tool)
        accounts.require_active(account)
        account = accounts.fresh(tx, account, state.clock())
        account.last_used_at.CopyFrom(timestamp(state.clock()))
        tx.update(accounts.KIND, account.id, account)
        provider = catalogue.provider_named(tx, tool.provider)
        data: dict[str, Any] | None = None
        failure: runners.ToolFailure | None = None
        if catalogue.tool_name(tool) in runners.LOCAL and tool.id == f"tol_{catalogue.tool_name(tool)}":
            try:
                data = runners.run_local(tx, state, catalogue.tool_name(tool), account, params)
            except runners.ToolFailure as exc:
                failure = exc  # the refresh and last use are kept; the tool wrote nothing
        elif not (isinstance(spec.get("x-http"), dict) and provider is not None and provider.is_custom):
            failure = runners.ToolFailure(
                Code.FAILED_PRECONDITION, "NO_RUNNER", f"the emulator cannot run {catalogue.tool_name(tool)}"
            )
    if data is None and failure is None and provider is not None:
        try:  # an HTTP-backed tool: no transaction is held while the upstream answers
            data = await runners.run_http(state, spec["x-http"], account, provider, params)
        except runners.ToolFailure as exc:
            failure = exc
    if failure is not None or data is None:
        failure = failure or runners.ToolFailure(Code.INTERNAL, "NO_OUTPUT", "the tool gave no output")
        raise _status.tool_error(
            failure.code,
            failure.message,
            tool_error_code=failure.tool_error_code,
            execution_id=execution_id,
        )
    out = struct_pb2.Struct()
    out.update(data)
    return pb.ExecuteToolResponse(data=out, execution_id=execution_id)
