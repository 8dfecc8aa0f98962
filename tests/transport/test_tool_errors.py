"""A tool's own failure (``ErrorInfo.error_code == "TOOL_ERROR"``) is a ToolExecutionError, never retried."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import any_pb2

from scalekit_api.v1.errdetails import errdetails_pb2
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error, is_tool_error
from scalekit_py._transport.call import _retry_delay
from scalekit_py._transport.retry import RetryPolicy


class _FakeRpcError(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, info: errdetails_pb2.ErrorInfo | None) -> None:
        self._code = code
        self._trailers: tuple[tuple[str, bytes], ...] = ()
        if info is not None:
            detail = any_pb2.Any()
            detail.Pack(info, type_url_prefix="type.googleapis.com/")
            # google.rpc.Status{details=[detail]}: field 3, length-delimited.
            raw = detail.SerializeToString()
            status = bytes([0x1A]) + _varint(len(raw)) + raw
            self._trailers = (("grpc-status-details-bin", status),)

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return "tool failed"

    def trailing_metadata(self) -> tuple[tuple[str, bytes], ...]:  # type: ignore[override]
        return self._trailers


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _tool_info() -> errdetails_pb2.ErrorInfo:
    info = errdetails_pb2.ErrorInfo(error_code="TOOL_ERROR")
    info.tool_error_info.execution_id = "exec_1"
    info.tool_error_info.tool_error_code = "NOTE_NOT_FOUND"
    info.tool_error_info.tool_error_message = "no note n_9"
    info.request_info.request_id = "req_7"
    return info


@pytest.mark.parametrize(
    ("code", "http"),
    [(grpc.StatusCode.FAILED_PRECONDITION, 412), (grpc.StatusCode.RESOURCE_EXHAUSTED, 429)],
)
def test_tool_error_carries_the_tool_payload(code: grpc.StatusCode, http: int) -> None:
    err = from_rpc_error(_FakeRpcError(code, _tool_info()), write=True)
    assert isinstance(err, errors.ToolExecutionError)
    assert (err.tool_error_code, err.tool_error_message, err.execution_id) == (
        "NOTE_NOT_FOUND",
        "no note n_9",
        "exec_1",
    )
    assert (err.grpc_code, err.http_status, err.error_code, err.request_id) == (
        code.name,
        http,
        "TOOL_ERROR",
        "req_7",
    )


def test_other_error_codes_keep_their_class() -> None:
    info = errdetails_pb2.ErrorInfo(error_code="NOT_FOUND")
    err = from_rpc_error(_FakeRpcError(grpc.StatusCode.NOT_FOUND, info))
    assert type(err) is errors.NotFoundError
    assert not is_tool_error(_FakeRpcError(grpc.StatusCode.NOT_FOUND, info))
    assert not is_tool_error(_FakeRpcError(grpc.StatusCode.UNAVAILABLE, None))


def test_tool_error_is_never_retried_even_when_the_policy_would() -> None:
    policy = RetryPolicy(retryable_codes=frozenset({"UNAVAILABLE"}), retry_writes=True)
    tool_failure = _FakeRpcError(grpc.StatusCode.UNAVAILABLE, _tool_info())
    plain_failure = _FakeRpcError(grpc.StatusCode.UNAVAILABLE, None)
    assert _retry_delay(policy, plain_failure, "UNAVAILABLE", 1, 0.0, False, None) is not None
    assert _retry_delay(policy, tool_failure, "UNAVAILABLE", 1, 0.0, False, None) is None
