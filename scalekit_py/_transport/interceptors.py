"""Auth interceptors: one ``authorization: Bearer`` header per call, one refresh and replay on 401.

Metadata is added by interceptors rather than call credentials because gRPC sends call credentials only
over TLS, and the SDK must also work against a plaintext loopback emulator. The API has unary RPCs only,
so there is one interceptor class per flavour (grpc.aio runs an interceptor only for the call types its
class implements). The interceptors know tokens only through a ``get_token`` / ``invalidate`` source.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, NamedTuple, Protocol

import grpc
import grpc.aio

from scalekit_py._version import API_VERSION, sdk_version_header

__all__ = [
    "AsyncAuthInterceptor",
    "AsyncTokenProvider",
    "AuthInterceptor",
    "TokenProvider",
    "auth_metadata",
    "replay_timeout",
    "sdk_metadata",
]

Metadatum = tuple[str, str | bytes]
_OWN_KEYS = frozenset({"authorization", "x-sdk-version", "x-api-version"})


class TokenProvider(Protocol):
    def get_token(self, timeout: float | None = None) -> str: ...

    def invalidate(self, token: str) -> None: ...


class AsyncTokenProvider(Protocol):
    def get_token(self, timeout: float | None = None) -> Awaitable[str]: ...

    def invalidate(self, token: str) -> None: ...


def sdk_metadata() -> tuple[tuple[str, str], ...]:
    """Headers identifying the SDK on every call (the user agent travels as a channel option)."""
    return (("x-sdk-version", sdk_version_header()), ("x-api-version", API_VERSION))


def auth_metadata(
    existing: Iterable[Metadatum] | None, token: str, extra: Sequence[tuple[str, str]]
) -> list[Metadatum]:
    """``existing`` without any auth or SDK headers, plus exactly one bearer header and ``extra``."""
    kept = [(k, v) for k, v in existing or () if k.lower() not in _OWN_KEYS]
    return [*kept, ("authorization", f"Bearer {token}"), *extra]


def replay_timeout(timeout: float | None, elapsed: float) -> float | None:
    """What is left of a call's ``timeout`` after ``elapsed`` seconds, for the replay after a refresh."""
    return None if timeout is None else max(timeout - elapsed, 0.0)


class _SyncDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: Sequence[Metadatum] | None
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


def _sync_details(
    details: grpc.ClientCallDetails, token: str, timeout: float | None, extra: Sequence[tuple[str, str]]
) -> grpc.ClientCallDetails:
    new = _SyncDetails(
        details.method,
        timeout,
        auth_metadata(details.metadata, token, extra),
        details.credentials,
        getattr(details, "wait_for_ready", None),
        getattr(details, "compression", None),
    )
    return new  # type: ignore[return-value]  # duck-typed: grpc reads the attributes only


class AuthInterceptor(grpc.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
    """Adds the bearer token and SDK headers to blocking unary calls; on UNAUTHENTICATED, invalidates
    the token, fetches a new one and replays the call once with the remaining deadline."""

    def __init__(self, tokens: TokenProvider) -> None:
        self._tokens = tokens
        self._extra = sdk_metadata()

    def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.ClientCallDetails, Any], Any],
        client_call_details: grpc.ClientCallDetails,
        request: Any,
    ) -> Any:
        started = time.monotonic()
        call_timeout = client_call_details.timeout
        # The call's deadline bounds the token fetch too; the RPC gets what is left of it.
        token = self._tokens.get_token(call_timeout)
        timeout = replay_timeout(call_timeout, time.monotonic() - started)
        outcome = continuation(_sync_details(client_call_details, token, timeout, self._extra), request)
        if outcome.code() is not grpc.StatusCode.UNAUTHENTICATED:
            return outcome
        self._tokens.invalidate(token)
        token = self._tokens.get_token(replay_timeout(call_timeout, time.monotonic() - started))
        remaining = replay_timeout(call_timeout, time.monotonic() - started)
        return continuation(_sync_details(client_call_details, token, remaining, self._extra), request)


def _async_details(
    details: grpc.aio.ClientCallDetails,
    token: str,
    timeout: float | None,
    extra: Sequence[tuple[str, str]],
) -> grpc.aio.ClientCallDetails:
    metadata = grpc.aio.Metadata(*auth_metadata(details.metadata, token, extra))
    return grpc.aio.ClientCallDetails(
        details.method, timeout, metadata, details.credentials, details.wait_for_ready
    )


class AsyncAuthInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
    """The ``grpc.aio`` twin of :class:`AuthInterceptor`."""

    def __init__(self, tokens: AsyncTokenProvider) -> None:
        self._tokens = tokens
        self._extra = sdk_metadata()

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[Any]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        started = time.monotonic()
        call_timeout = client_call_details.timeout
        token = await self._tokens.get_token(call_timeout)
        timeout = replay_timeout(call_timeout, time.monotonic() - started)
        call = await continuation(_async_details(client_call_details, token, timeout, self._extra), request)
        if await call.code() is not grpc.StatusCode.UNAUTHENTICATED:
            return call
        self._tokens.invalidate(token)
        token = await self._tokens.get_token(replay_timeout(call_timeout, time.monotonic() - started))
        remaining = replay_timeout(call_timeout, time.monotonic() - started)
        return await continuation(_async_details(client_call_details, token, remaining, self._extra), request)
