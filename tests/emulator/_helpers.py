"""Helpers for emulator tests: decode the ErrorInfo the emulator attaches to failed RPCs."""

from __future__ import annotations

import grpc
from google.rpc import status_pb2  # type: ignore[import-untyped]

from scalekit_api.v1.errdetails import errdetails_pb2

__all__ = ["error_info"]


def error_info(error: grpc.RpcError) -> errdetails_pb2.ErrorInfo:
    """The ``scalekit.v1.errdetails.ErrorInfo`` in a failed call's ``grpc-status-details-bin`` trailer.

    Raises:
        AssertionError: the trailer or the ErrorInfo detail is missing.
    """
    call: grpc.Call = error  # type: ignore[assignment]
    trailers = dict(call.trailing_metadata() or ())
    raw = trailers.get("grpc-status-details-bin")
    assert isinstance(raw, bytes), f"no grpc-status-details-bin in {sorted(trailers)}"
    status = status_pb2.Status.FromString(raw)
    assert status.code == call.code().value[0]
    for detail in status.details:
        info = errdetails_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info
    raise AssertionError(f"no ErrorInfo among {[d.type_url for d in status.details]}")
