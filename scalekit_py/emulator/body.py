"""Request bodies read with a deadline, before any handler runs.

A client that sends a request's headers and part of its body and then nothing (a stalled or malicious
client) would otherwise hold a handler waiting on ``receive()`` for as long as the connection lives; one
that disconnects mid-body made the framework log a traceback. The router reads every request body here
first, bounded by ``body_timeout`` from the request's start, and hands the handler a ``receive`` that
replays it (every emulator RPC and HTTP route is unary: the body is small and read whole anyway).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_IDLE_TIMEOUT",
    "BodyTimeout",
    "Disconnected",
    "read_body",
    "replay",
]

Receive = Callable[[], Awaitable[dict[str, Any]]]

DEFAULT_BODY_TIMEOUT = 10.0
"""Seconds a request's whole body may take to arrive."""
DEFAULT_IDLE_TIMEOUT = 5.0
"""Seconds a connection with no request in progress stays open (hypercorn's ``keep_alive_timeout``
default); it also ends connections that never finish a request's headers."""


class BodyTimeout(Exception):
    """The request body did not arrive in time."""


class Disconnected(Exception):
    """The client went away before the request body was complete."""

    def __init__(self, received: int) -> None:
        super().__init__(f"client disconnected after {received} body bytes")
        self.received = received


async def read_body(receive: Receive, timeout: float) -> bytes:
    """The whole request body, within ``timeout`` seconds in total.

    Raises:
        BodyTimeout: it did not arrive in time.
        Disconnected: the client disconnected first.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    chunks: list[bytes] = []
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise BodyTimeout
        try:
            message = await asyncio.wait_for(receive(), remaining)
        except asyncio.TimeoutError:
            raise BodyTimeout from None
        if message["type"] == "http.disconnect":
            raise Disconnected(sum(map(len, chunks)))
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields ``body`` as one message, then whatever the connection says next."""
    sent = False

    async def receive_again() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again
