"""Fixtures for tests that talk to a running emulator.

* ``emulator`` — one running :class:`~scalekit_py.emulator.Emulator` per test module (seeded).
* ``grpc_channel`` — a sync ``grpc`` channel to it whose calls carry ``authorization: Bearer <token>``.
* ``aio_grpc_channel`` — the same for ``grpc.aio`` (one per test, on the test's event loop).

Decode a failed call's ErrorInfo with ``tests.emulator._helpers.error_info``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

import grpc
import grpc.aio
import pytest

from scalekit_py.emulator import Emulator

if TYPE_CHECKING:
    _SyncBase = grpc.UnaryUnaryClientInterceptor[Any, Any]
    _AioBase = grpc.aio.UnaryUnaryClientInterceptor[Any, Any]
else:
    _SyncBase = grpc.UnaryUnaryClientInterceptor
    _AioBase = grpc.aio.UnaryUnaryClientInterceptor


def _with_token(metadata: Any, token: str) -> tuple[tuple[str, str | bytes], ...]:
    items = [(k, v) for k, v in (metadata or ()) if k.lower() != "authorization"]
    items.append(("authorization", f"Bearer {token}"))
    return tuple(items)


class _BearerInterceptor(_SyncBase):
    """Adds the emulator's bearer token to every unary call (what the SDK's interceptor will do)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        details = details._replace(metadata=_with_token(details.metadata, self._token))
        return continuation(details, request)


class _AioBearerInterceptor(_AioBase):
    def __init__(self, token: str) -> None:
        self._token = token

    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], details: Any, request: Any
    ) -> Any:
        details = details._replace(metadata=_with_token(details.metadata, self._token))
        return await continuation(details, request)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """A running emulator shared by the tests of one module."""
    with Emulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def grpc_channel(emulator: Emulator) -> Iterator[grpc.Channel]:
    """A sync channel to ``emulator`` that sends a valid client-credentials token on every call."""
    channel = grpc.intercept_channel(
        grpc.insecure_channel(emulator.grpc_target), _BearerInterceptor(emulator.access_token())
    )
    yield channel
    channel.close()


@pytest.fixture
async def aio_grpc_channel(emulator: Emulator) -> AsyncIterator[grpc.aio.Channel]:
    """A ``grpc.aio`` channel to ``emulator`` that sends a valid token on every call."""
    channel = grpc.aio.insecure_channel(
        emulator.grpc_target, interceptors=[cast(Any, _AioBearerInterceptor(emulator.access_token()))]
    )
    yield channel
    await channel.close(None)
