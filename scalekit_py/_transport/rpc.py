"""Typed handle on one RPC of the generated stubs: its gRPC path and message types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message

__all__ = ["Reconcile", "Req", "Resp", "Rpc"]

Req = TypeVar("Req", bound=Message)
Resp = TypeVar("Resp", bound=Message)


@dataclass(frozen=True)
class Reconcile(Generic[Req, Resp]):
    """How a create whose earlier attempt had an unknown outcome finds what that attempt made, before it
    is sent again (only with ``RetryPolicy(retry_writes=True)``).

    Attributes:
        lookup: the read RPC that finds the resource (e.g. by external id).
        request: the lookup request for a create request, or ``None`` when the create carries nothing
            to find it by (no ``external_id``): then it is re-sent as it is.
        response: the create's response made from the lookup's, or ``None`` when what was found is not
            what the create makes (e.g. the user exists but is not a member of that organization): then
            the create is re-sent and the service decides.
    """

    lookup: Rpc[Any, Any]
    request: Callable[[Req], Message | None]
    response: Callable[[Req, Any], Resp | None]


@dataclass(frozen=True)
class Rpc(Generic[Req, Resp]):
    """One unary RPC.

    Attributes:
        path: full gRPC method path, ``/<package>.<Service>/<Method>``.
        request_type: generated request message class.
        response_type: generated response message class.
        idempotent: reads are idempotent and retried by default; writes are not.
        reconcile: for a create, how a retry finds what an attempt with an unknown outcome made.
    """

    path: str
    request_type: type[Req]
    response_type: type[Resp]
    idempotent: bool = False
    reconcile: Reconcile[Req, Resp] | None = None

    @property
    def service(self) -> str:
        return self.path.split("/")[1]

    @property
    def method(self) -> str:
        return self.path.rsplit("/", 1)[1]
