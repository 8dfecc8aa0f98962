"""The connectrpc interceptor in front of every service: faults, bearer-token auth, counters.

It is a metadata interceptor, so connectrpc runs it before the request body is read: an RPC without a
valid client-credentials token is refused with UNAUTHENTICATED (and an ``ErrorInfo``) without touching
the handler; a valid token of an organization or resource client (no admin principal) gets
PERMISSION_DENIED. Every RPC is counted by its full method path and final status code name.
"""

from __future__ import annotations

import asyncio
from typing import Any

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from connectrpc.request import RequestContext

from scalekit_py.emulator import _status
from scalekit_py.emulator.faults import Counters, Faults
from scalekit_py.emulator.tokens import InvalidToken, NotAdminClient, Tokens

__all__ = ["RpcGuard", "method_path"]


def method_path(ctx: RequestContext[Any, Any]) -> str:
    """``/<service full name>/<Method>`` of the RPC in ``ctx``."""
    return f"/{ctx.method.service_name}/{ctx.method.name}"


def _code_name(error: Exception | None) -> str:
    if error is None:
        return "OK"
    if isinstance(error, ConnectError):
        return error.code.name
    return "UNKNOWN"


class RpcGuard:
    """Applies faults, requires ``authorization: Bearer <client-credentials JWT>``, counts RPCs."""

    def __init__(self, tokens: Tokens, faults: Faults, counters: Counters) -> None:
        self._tokens = tokens
        self._faults = faults
        self._counters = counters

    async def on_start(self, ctx: RequestContext[Any, Any]) -> str:
        method = method_path(ctx)
        try:
            delay = self._faults.rpc_latency(method)
            if delay:
                await asyncio.sleep(delay)
            if self._faults.take_rpc_unavailable(method):
                raise ConnectError(Code.UNAVAILABLE, "service unavailable (injected fault)")
            self._authenticate(ctx)
        except ConnectError as exc:
            # A failing on_start gets no on_end call, so count it here.
            self._counters.record_rpc(method, exc.code.name)
            raise
        return method

    async def on_end(self, token: str, ctx: RequestContext[Any, Any], error: Exception | None) -> None:
        self._counters.record_rpc(token, _code_name(error))

    def _authenticate(self, ctx: RequestContext[Any, Any]) -> None:
        header = ctx.request_headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _status.unauthenticated("missing bearer token")
        try:
            self._tokens.verify_client_token(token.strip())
        except NotAdminClient as exc:
            # Authenticated, but an organization or resource client is not an admin principal.
            raise _status.permission_denied(str(exc)) from None
        except InvalidToken as exc:
            raise _status.unauthenticated(str(exc)) from None
