"""Errors the emulator returns, shaped like the real service's: a status plus ``ErrorInfo`` details."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from connectrpc.code import Code
from connectrpc.errors import ConnectError

from scalekit_api.v1.errdetails import errdetails_pb2

__all__ = [
    "already_exists",
    "api_error",
    "failed_precondition",
    "grpc_status_details",
    "invalid_argument",
    "not_found",
    "tool_error",
    "unauthenticated",
]


def _any(message: errdetails_pb2.ErrorInfo) -> object:
    # connectrpc speaks protobuf-py internally: wrap our google-protobuf message by hand.
    from protobuf.wkt import Any  # type: ignore[import-not-found,unused-ignore]

    return Any(
        type_url="type.googleapis.com/scalekit.v1.errdetails.ErrorInfo", value=message.SerializeToString()
    )


def api_error(
    code: Code,
    message: str,
    *,
    error_code: str,
    violations: Iterable[tuple[str, str, str]] = (),
    resource: str = "",
    request_id: str = "",
) -> ConnectError:
    """A ConnectError with an ErrorInfo detail (``violations``: (field, description, constraint))."""
    info = errdetails_pb2.ErrorInfo(error_code=error_code)
    for field, description, constraint in violations:
        info.validation_error_info.field_violations.add(
            field=field, description=description, constraint=constraint
        )
    if resource:
        info.resource_info.resource_name = resource
    # Like the real service, every error names its request so users can quote it.
    info.request_info.request_id = request_id or f"req_{secrets.token_hex(8)}"
    info.localized_message_info.locale = "en"
    info.localized_message_info.message = message
    return ConnectError(code, message, details=[_any(info)])  # type: ignore[list-item]


def invalid_argument(violations: Iterable[tuple[str, str, str]], message: str = "") -> ConnectError:
    items = list(violations)
    text = message or "; ".join(f"{f}: {d}" for f, d, _ in items) or "invalid request"
    return api_error(Code.INVALID_ARGUMENT, text, error_code="INVALID_ARGUMENT", violations=items)


def not_found(kind: str, ident: str) -> ConnectError:
    return api_error(Code.NOT_FOUND, f"{kind} {ident!r} not found", error_code="NOT_FOUND", resource=kind)


# The service's own error codes for some duplicates (the official SDKs' tests expect them).
_CONFLICT_CODES = {"role": "ROLE_KEYNAME_CONFLICT"}


def already_exists(kind: str, what: str) -> ConnectError:
    return api_error(
        Code.ALREADY_EXISTS,
        f"{kind} {what} already exists",
        error_code=_CONFLICT_CODES.get(kind, "ALREADY_EXISTS"),
        resource=kind,
    )


def failed_precondition(message: str, error_code: str = "FAILED_PRECONDITION") -> ConnectError:
    return api_error(Code.FAILED_PRECONDITION, message, error_code=error_code)


def unauthenticated(message: str = "unauthenticated") -> ConnectError:
    return api_error(Code.UNAUTHENTICATED, message, error_code="UNAUTHENTICATED")


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def grpc_status_details(code: int, message: str, *, error_code: str) -> bytes:
    """A serialized ``google.rpc.Status`` carrying an ``ErrorInfo``, for ``grpc-status-details-bin``.

    Used where a status is written outside connectrpc (calls the emulator does not route).
    """
    info = errdetails_pb2.ErrorInfo(error_code=error_code)
    info.request_info.request_id = f"req_{secrets.token_hex(8)}"
    info.localized_message_info.locale = "en"
    info.localized_message_info.message = message
    detail = _field(1, b"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo") + _field(
        2, info.SerializeToString()
    )
    return _varint(1 << 3) + _varint(code) + _field(2, message.encode()) + _field(3, detail)


def tool_error(code: Code, message: str, *, tool_error_code: str, execution_id: str) -> ConnectError:
    """A tool's own failure: ``ErrorInfo.error_code`` ``TOOL_ERROR`` with ``tool_error_info`` filled."""
    info = errdetails_pb2.ErrorInfo(error_code="TOOL_ERROR")
    info.tool_error_info.execution_id = execution_id
    info.tool_error_info.tool_error_code = tool_error_code
    info.tool_error_info.tool_error_message = message
    info.request_info.request_id = f"req_{secrets.token_hex(8)}"
    info.localized_message_info.locale = "en"
    info.localized_message_info.message = f"tool failed: {message}"
    return ConnectError(code, f"tool failed: {message}", details=[_any(info)])  # type: ignore[list-item]
