"""The asyncio :class:`AsyncAuthorizationSession`: runs the shared flows with awaited I/O."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.sessions import _flow
from scalekit_py.sessions._base import HasTokens, SessionBase
from scalekit_py.sessions._model import SessionEvent, SessionRecord, TokenSet
from scalekit_py.sessions.refreshers import (
    AsyncRefresher,
    SupportsAsyncRefreshAccessToken,
    as_async_refresher,
)
from scalekit_py.sessions.stores import AsyncTokenStore, TokenStore

__all__ = ["AsyncAuthorizationSession"]

T = TypeVar("T")

_background: set[asyncio.Task[Any]] = set()  # refreshes whose leader went away still run to the end


class AsyncAuthorizationSession(SessionBase):
    """The asyncio twin of :class:`AuthorizationSession`: same arguments, methods and guarantees.

    Tasks and threads share refreshes: a sync and an async session over the same store object and
    session id never refresh at the same time. A refresh runs in its own task, so cancelling the task
    that started it does not abandon the rotated tokens half-saved.

    Args:
        session_id: see :class:`AuthorizationSession`.
        store: a :class:`TokenStore` (called in a worker thread unless it is ``nonblocking``) or an
            :class:`AsyncTokenStore`.
        refresher: an :class:`AsyncRefresher`, or an ``AsyncOAuthClient``.
        refresh_margin, queue_timeout, lease_ttl, lease_poll_interval, retry, clock, on_event: see
            :class:`AuthorizationSession`.
        sleep: async sleep, for tests.

    Example:
        >>> session = AsyncAuthorizationSession("sess-8f2c", store=store, refresher=async_oauth_client)
        >>> await session.establish(await async_oauth_client.authenticate_with_code(code, redirect_uri))
        >>> token = await session.get_access_token()
    """

    def __init__(
        self,
        session_id: str,
        *,
        store: TokenStore | AsyncTokenStore,
        refresher: AsyncRefresher | SupportsAsyncRefreshAccessToken,
        refresh_margin: float = 60.0,
        queue_timeout: float = 30.0,
        lease_ttl: float = 60.0,
        lease_poll_interval: float = 0.05,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        on_event: Callable[[SessionEvent], None] | None = None,
        rand: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(
            session_id,
            store=store,
            refresh_margin=refresh_margin,
            queue_timeout=queue_timeout,
            lease_ttl=lease_ttl,
            lease_poll_interval=lease_poll_interval,
            retry=retry,
            clock=clock,
            on_event=on_event,
            rand=rand,
        )
        self._refresher = as_async_refresher(refresher)
        self._sleep = sleep
        self._store_is_async = inspect.iscoroutinefunction(getattr(store, "get", None))
        self._store_inline = bool(getattr(store, "nonblocking", False))

    async def establish(
        self,
        tokens: TokenSet | HasTokens,
        *,
        refresh_expires_in: float | None = None,
        requested_at: float | None = None,
    ) -> None:
        """Start (or replace) the session; see :meth:`AuthorizationSession.establish`."""
        token_set = self._token_set(tokens, refresh_expires_in)
        await self._run(_flow.establish(self._context(), token_set, self._now(requested_at)))

    async def get_access_token(self) -> str:
        """A fresh access token; see :meth:`AuthorizationSession.get_access_token`."""
        return await self._run(_flow.access_token(self._context(), force=False))

    async def refresh(self) -> str:
        """Refresh now; see :meth:`AuthorizationSession.refresh`."""
        return await self._run(_flow.access_token(self._context(), force=True))

    async def load(self) -> SessionRecord | None:
        """The current record; see :meth:`AuthorizationSession.load`."""
        return await self._run(_flow.load(self._context()))

    async def clear(self) -> bool:
        """Remove the session; see :meth:`AuthorizationSession.clear`."""
        return await self._run(_flow.clear(self._context()))

    # --- driver ---------------------------------------------------------------------------------------

    async def _run(self, flow: _flow.Flow[T]) -> T:
        send: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = flow.send(send) if error is None else flow.throw(error)
            except StopIteration as stop:
                result: T = stop.value
                return result
            send, error = None, None
            try:
                send = await self._perform(effect)
            except BaseException as exc:  # thrown into the flow, which decides
                error = exc

    async def _store_call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self._store, name)
        if self._store_is_async:
            return await method(*args, **kwargs)
        if self._store_inline:
            return method(*args, **kwargs)
        return await asyncio.to_thread(method, *args, **kwargs)

    async def _perform(self, effect: _flow.Effect) -> Any:
        if isinstance(effect, _flow.Get):
            return await self._store_call("get", effect.key)
        if isinstance(effect, _flow.Put):
            return await self._store_call(
                "put", effect.key, effect.record, expected_version=effect.expected_version
            )
        if isinstance(effect, _flow.Delete):
            return await self._store_call("delete", effect.key, expected_version=effect.expected_version)
        if isinstance(effect, _flow.CallRefresh):
            return await self._refresher.refresh(effect.refresh_token)
        if isinstance(effect, _flow.Sleep):
            await self._sleep(effect.seconds)
            return None
        if isinstance(effect, _flow.RunFlight):
            task = asyncio.get_running_loop().create_task(self._lead(effect))
            _background.add(task)
            task.add_done_callback(_forget_task)
            return await asyncio.shield(task)
        return await self._wait(effect)

    async def _lead(self, effect: _flow.RunFlight) -> SessionRecord | None:
        try:
            result = await self._run(effect.body)
        except BaseException as exc:
            effect.coordinator.settle(effect.key, effect.flight, error=exc)
            raise
        effect.coordinator.settle(effect.key, effect.flight, result=result)
        return result

    @staticmethod
    async def _wait(effect: _flow.WaitFlight) -> SessionRecord | None:
        waiter = asyncio.wrap_future(effect.flight.future)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), effect.timeout)
        except asyncio.TimeoutError:
            if waiter.done():
                raise  # the refresh itself raised a TimeoutError
            raise _flow.WaitTimedOut() from None


def _forget_task(task: asyncio.Task[Any]) -> None:
    _background.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a refresh nobody awaits any more logs no "never retrieved" warning
