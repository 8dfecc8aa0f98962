"""What a facade needs from the transport: one ``call`` per flavour.

The facades are typed against these protocols, not against the concrete callers of
``scalekit_py._transport.call``, so they can be unit-tested with a recording fake and stay
independent of how the transport is built.
"""

from __future__ import annotations

from typing import Protocol, TypeAlias

from scalekit_py._sentinel import NOT_GIVEN, NotGiven
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py._transport.rpc import Req, Resp, Rpc

__all__ = ["AsyncCaller", "RetryArg", "SyncCaller", "Timeout"]

Timeout: TypeAlias = float | NotGiven | None
"""Seconds for one call; ``None`` means no deadline; ``NOT_GIVEN`` means the client's default."""

RetryArg: TypeAlias = RetryPolicy | NotGiven | None
"""Retry policy for one call; ``None`` means no retry; ``NOT_GIVEN`` means the client's default."""


class AsyncCaller(Protocol):
    """Sends one unary RPC on an asyncio transport and returns its response."""

    async def call(
        self,
        rpc: Rpc[Req, Resp],
        request: Req,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> Resp: ...


class SyncCaller(Protocol):
    """Sends one unary RPC on a blocking transport and returns its response."""

    def call(
        self,
        rpc: Rpc[Req, Resp],
        request: Req,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> Resp: ...
