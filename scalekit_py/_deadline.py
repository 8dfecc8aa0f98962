"""Bound a blocking call by a total deadline, not a per-read timeout.

httpx's timeouts apply to each read: an endpoint that sends a byte every second never trips them. The
blocking OAuth client runs its request on a daemon worker thread and waits at most ``seconds`` for it;
past that the caller gets :class:`~scalekit_py.errors.APITimeoutError` and the worker is left to end
when the connection does (asyncio code uses ``asyncio.wait_for`` instead, which cancels the request).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from scalekit_py import errors

__all__ = ["run_with_deadline"]

T = TypeVar("T")


def run_with_deadline(fn: Callable[[], T], seconds: float, what: str) -> T:
    """``fn()``, or ``APITimeoutError`` naming ``what`` when it has not returned within ``seconds``.

    Whatever ``fn`` raises is raised here, in the caller's thread.
    """
    outcome: list[tuple[bool, object]] = []
    done = threading.Event()

    def work() -> None:
        try:
            outcome.append((True, fn()))
        except BaseException as exc:  # handed to the caller below
            outcome.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=work, name="scalekit-http", daemon=True).start()
    if not done.wait(seconds):
        raise errors.APITimeoutError(f"{what} did not answer within {seconds:g} s")
    ok, value = outcome[0]
    if not ok:
        raise value  # type: ignore[misc]
    return value  # type: ignore[return-value]
