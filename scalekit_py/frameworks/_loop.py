"""A private asyncio loop in a daemon thread, so blocking frameworks (Flask) run the one async flow core.

Every call of one integration runs on the same loop: the async OAuth client stays bound to one loop, and
concurrent requests (Flask's threads) meet in one ``AsyncAuthorizationSession`` coordinator, so a session
refreshes once however many threads ask.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    """Starts its thread on first use; ``run(coro)`` blocks the calling thread until ``coro`` finishes."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name=self._name, daemon=True).start()
                self._loop = loop
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._ensure()).result(timeout)

    def close(self) -> None:
        with self._lock:
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._loop = None
