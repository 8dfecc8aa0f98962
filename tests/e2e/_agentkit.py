"""AgentKit helpers of the end-to-end tests: follow a magic link like the user would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import httpx
import pytest
from google.protobuf import json_format, struct_pb2

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_py._client import ScalekitClient
from scalekit_py._errmap import GRPC_TO_HTTP
from scalekit_py.errors import ToolExecutionError

__all__ = ["approve", "as_dict", "connect", "struct", "tool_error"]


def approve(link: str, **form: str) -> httpx.Response:
    """POST the consent page's *Approve* (with any credential fields), without following redirects."""
    return httpx.post(link, data={"action": "approve", **form}, timeout=10)


def connect(client: ScalekitClient, connector: str, identifier: str, **form: str) -> ca_pb.ConnectedAccount:
    """Create (or reuse) the account, approve its consent page, and return it ACTIVE."""
    link = client.connected_accounts.get_magic_link_for_connected_account(connector, identifier).link
    answer = approve(link, **form)
    assert answer.status_code == 200, answer.text
    account = client.connected_accounts.get_connected_account_details_by_identifier(connector, identifier)
    assert account.status == ca_pb.ACTIVE
    return account


def tool_error(call: Callable[[], object], *, grpc_code: str) -> ToolExecutionError:
    """Run ``call``, which must fail with a :class:`ToolExecutionError` carrying ``grpc_code``.

    Like ``_support.api_error``, except that the HTTP status follows the gRPC code (a tool error keeps
    the code the third party's failure maps to) instead of being the class's.
    """
    with pytest.raises(ToolExecutionError) as info:
        call()
    err = info.value
    assert type(err) is ToolExecutionError
    assert (err.grpc_code, err.http_status, err.error_code) == (
        grpc_code,
        GRPC_TO_HTTP[grpc_code],
        "TOOL_ERROR",
    )
    assert isinstance(err.__cause__, grpc.RpcError)
    assert not isinstance(err, grpc.RpcError)
    assert err.execution_id
    assert err.execution_id.startswith("exec_")
    assert err.tool_error_code
    return err


def as_dict(message: struct_pb2.Struct) -> dict[str, Any]:
    """A ``Struct`` (tool output, tool definition) as a plain dict."""
    return json_format.MessageToDict(message)


def struct(data: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(data)
    return out
