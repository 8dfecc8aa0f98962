"""Typed handle on one RPC of the generated stubs: its gRPC path and message types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from google.protobuf.message import Message

__all__ = ["Req", "Resp", "Rpc"]

Req = TypeVar("Req", bound=Message)
Resp = TypeVar("Resp", bound=Message)


@dataclass(frozen=True)
class Rpc(Generic[Req, Resp]):
    """One unary RPC.

    Attributes:
        path: full gRPC method path, ``/<package>.<Service>/<Method>``.
        request_type: generated request message class.
        response_type: generated response message class.
        idempotent: reads are idempotent and retried by default; writes are not.
    """

    path: str
    request_type: type[Req]
    response_type: type[Resp]
    idempotent: bool = False

    @property
    def service(self) -> str:
        return self.path.split("/")[1]

    @property
    def method(self) -> str:
        return self.path.rsplit("/", 1)[1]
