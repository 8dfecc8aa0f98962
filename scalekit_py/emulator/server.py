"""One port for everything: gRPC (connectrpc ASGI apps) and the plain HTTP routes, served by hypercorn.

:class:`Router` is the single ASGI callable. It sends ``/oauth/*``, ``/keys``, ``/.well-known/*``,
``/userinfo``, ``/oidc/*``, ``/_emulator/*`` and AgentKit's ``/agentkit/*``, ``/proxy/*``, ``/mcp/*``
to the Starlette app, ``/<service full name>/...`` to
that service's connectrpc app, answers gRPC calls to unknown services with UNIMPLEMENTED and anything
else with 404, and handles ``lifespan`` itself.

:class:`ServerThread` runs ``hypercorn.asyncio.serve`` in a background thread with its own event loop,
on a socket it binds itself (so port 0 gives a free port that is known before the first request).
hypercorn 0.18.0 is pinned: two private behaviours are adjusted (see :func:`_patch_hypercorn`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import logging
import os
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any

from scalekit_py.emulator.body import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_IDLE_TIMEOUT,
    BodyTimeout,
    Disconnected,
    read_body,
    replay,
)
from scalekit_py.emulator.headers import H2_DECODER_LIMIT, check_headers

__all__ = ["HTTP_PATHS", "Router", "ServerThread", "current_transport"]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

# Exact paths and prefixes served by the HTTP (Starlette) side.
HTTP_PATHS = ("/keys", "/userinfo")
HTTP_PREFIXES = ("/oauth/", "/.well-known/", "/oidc/", "/_emulator/", "/agentkit/", "/proxy/", "/mcp/")

_log = logging.getLogger("scalekit_py.emulator.server")

# The transport of the connection carrying the current request (set per connection, see below).
current_transport: contextvars.ContextVar[asyncio.WriteTransport | None] = contextvars.ContextVar(
    "scalekit_emulator_transport", default=None
)


def is_http_path(path: str) -> bool:
    return path in HTTP_PATHS or path.startswith(HTTP_PREFIXES)


class Router:
    """The emulator's ASGI application.

    Args:
        grpc_apps: connectrpc ASGI apps keyed by ``/<service full name>/`` (see ``services.build_apps``).
        http_app: the ASGI app for the HTTP routes.
        drop: called with an RPC's method path; True means drop its connection (a fault).
        drop_response: called with an RPC's method path; True means handle the RPC, then drop its
            connection instead of sending the answer (a fault: the outcome of a write is unknown).
        on_startup / on_shutdown: called on lifespan startup and shutdown.
        body_timeout: seconds a request's whole body may take to arrive; a slower request is answered
            with 408 (HTTP) or DEADLINE_EXCEEDED (gRPC) without reaching a handler.
    """

    def __init__(
        self,
        grpc_apps: Mapping[str, ASGIApp],
        http_app: ASGIApp,
        *,
        drop: Callable[[str], bool] = lambda _: False,
        drop_response: Callable[[str], bool] = lambda _: False,
        on_startup: Callable[[], None] = lambda: None,
        on_shutdown: Callable[[], None] = lambda: None,
        served: Collection[str] | None = None,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        self._services = {prefix.strip("/"): app for prefix, app in grpc_apps.items()}
        self._served = None if served is None else frozenset(served)
        self._http_app = http_app
        self._drop = drop
        self._drop_response = drop_response
        self._body_timeout = body_timeout
        self._on_startup = on_startup
        self._on_shutdown = on_shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        if scope["type"] == "http":
            body = await self._body(scope, receive, send)
            if body is None:
                return
            receive = replay(body, receive)
        if scope["type"] == "http" and (problem := check_headers(scope.get("headers", ()))) is not None:
            await _drain(receive)
            if _is_grpc(scope):
                await _grpc_status(send, problem.grpc_code, problem.message)
            else:
                await _plain(send, problem.http_status, problem.message.encode() + b"\n")
            return
        if is_http_path(path):
            await self._http_app(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        service = path.split("/")[1] if path.count("/") >= 2 else ""
        app = self._services.get(service)
        if app is not None and self._served is not None and path not in self._served:
            app = None  # a service we serve, but not this RPC of it (yet)
        if app is not None:
            if self._drop(path) and _abort_connection():
                # Move hypercorn past "no response yet": its fallback 500 would wait forever on the
                # dead connection and leak the task.
                await send({"type": "http.response.start", "status": 200, "headers": []})
                return
            if self._drop_response(path):
                send = _dropping_answer(send)
            await app(scope, receive, send)
        else:
            # Read the whole request first: hypercorn fails on DATA frames for a finished stream.
            await _drain(receive)
            if _is_grpc(scope):
                await _grpc_unimplemented(send, f"the emulator does not serve {path} (yet)")
            else:
                await _plain(send, 404, b"not found\n")

    async def _body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The request body, or None when it was answered here (too slow) or the client left."""
        path = scope.get("path", "")
        try:
            return await read_body(receive, self._body_timeout)
        except Disconnected as exc:
            _log.debug(
                "%s %s: client disconnected mid-body (%d bytes received)",
                scope.get("method"),
                path,
                exc.received,
            )
        except BodyTimeout:
            _log.info(
                "%s %s: request body not received within %gs", scope.get("method"), path, self._body_timeout
            )
            message = f"request body not received within {self._body_timeout:g}s"
            if _is_grpc(scope):
                await _grpc_status(send, 4, message)
            else:
                await _plain(send, 408, message.encode() + b"\n", close=True)
        return None

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self._on_startup()
                except Exception as exc:  # reported to the server, which stops
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                with contextlib.suppress(Exception):
                    self._on_shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _is_grpc(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bool(value.startswith(b"application/grpc"))
    return False


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


def _dropping_answer(send: Send) -> Send:
    """``send`` that drops the connection when the answer starts (the handler has finished: a write has
    committed) and discards the rest of the answer."""
    dropped = False

    async def send_or_drop(message: dict[str, Any]) -> None:
        nonlocal dropped
        if not dropped and message["type"] == "http.response.start" and _abort_connection():
            dropped = True
            await send(message)  # hypercorn's "response started" bookkeeping (see the drop above)
        elif not dropped:
            await send(message)

    return send_or_drop


def _abort_connection() -> bool:
    transport = current_transport.get()
    if transport is None:
        return False
    transport.abort()
    return True


# gRPC status codes the router itself answers with, and the ErrorInfo error_code it gives them.
_ERROR_CODES = {
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    8: "RESOURCE_EXHAUSTED",
    12: "UNIMPLEMENTED",
    16: "UNAUTHENTICATED",
}


async def _grpc_unimplemented(send: Send, message: str) -> None:
    await _grpc_status(send, 12, message)


async def _grpc_status(send: Send, code: int, message: str) -> None:
    """A trailers-only gRPC answer with ``code``, ``message`` and an ``ErrorInfo`` detail."""
    from scalekit_py.emulator._status import grpc_status_details

    details = grpc_status_details(code, message, error_code=_ERROR_CODES.get(code, "UNKNOWN"))
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/grpc")],
            "trailers": True,
        }
    )
    await send({"type": "http.response.body", "body": b"", "more_body": False})
    await send(
        {
            "type": "http.response.trailers",
            "headers": [
                (b"grpc-status", str(code).encode()),
                (b"grpc-message", urllib.parse.quote(message, safe=" /").encode()),
                (b"grpc-status-details-bin", base64.b64encode(details).rstrip(b"=")),
            ],
            "more_trailers": False,
        }
    )


async def _plain(send: Send, status: int, body: bytes, *, close: bool = False) -> None:
    headers = [(b"content-type", b"text/plain")] + ([(b"connection", b"close")] if close else [])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_patched = False


class _Streams(dict[int, Any]):
    """hypercorn's per-connection stream table, tolerant of DATA for a stream that already finished."""

    def __missing__(self, stream_id: int) -> Any:
        return _FinishedStream()


class _FinishedStream:
    idle = True

    async def handle(self, event: object) -> None:
        return None


def _patch_hypercorn() -> None:
    """Adjust three private behaviours of hypercorn 0.18.0 (idempotent).

    * ``run``: remember the connection's transport in :data:`current_transport`, so a fault can drop
      the connection carrying an RPC (ASGI itself has no way to do that).
    * ``_close``: a TLS peer that sends data after ``close_notify`` made ``ssl.SSLError`` escape and end
      ``serve()``; errors while closing a connection that is going away anyway are ignored.
    * HTTP/2 streams: a request body frame arriving after the response finished (an RPC refused
      before its body was read, e.g. UNAUTHENTICATED) raised KeyError and killed the whole
      connection, failing every other RPC on it; such frames are now ignored (flow control is still
      acknowledged by hypercorn).
    """
    global _patched
    if _patched:
        return
    from hypercorn.asyncio.tcp_server import TCPServer
    from hypercorn.protocol.h2 import H2Protocol

    original_run = TCPServer.run
    original_close = TCPServer._close
    original_h2_init = H2Protocol.__init__

    def h2_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_h2_init(self, *args, **kwargs)
        self.streams = _Streams()
        # Header problems are per request (see headers.py), not a reason to drop the connection.
        self.connection.config.validate_inbound_headers = False
        self.connection.decoder.max_header_list_size = H2_DECODER_LIMIT  # until SETTINGS are acked

    async def run(self: Any) -> None:
        current_transport.set(self.writer.transport)
        await original_run(self)

    async def close(self: Any) -> None:
        try:
            await original_close(self)
        except (ssl.SSLError, OSError, TimeoutError) as exc:
            _log.debug("ignored error while closing a connection: %r", exc)

    TCPServer.run = run  # type: ignore[method-assign]
    TCPServer._close = close  # type: ignore[method-assign]
    H2Protocol.__init__ = h2_init  # type: ignore[method-assign]
    _patched = True


def _quiet_cancellations(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """While stopping, connection tasks cancelled by the shutdown are expected: don't log them."""
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


class ServerThread:
    """hypercorn serving one ASGI app in a background thread.

    Args:
        app: the ASGI app.
        host: address to bind.
        port: port to bind; 0 picks a free one (read :attr:`port` after :meth:`start`).
        certfile / keyfile: PEM files to serve TLS (h2 and http/1.1 by ALPN).
        idle_timeout: seconds a connection without a request in progress stays open (hypercorn's
            ``keep_alive_timeout``): also ends connections that never complete a request's headers.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        certfile: str | None = None,
        keyfile: str | None = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        self.app = app
        self.idle_timeout = idle_timeout
        self.host = host
        self.port = port
        self.certfile = certfile
        self.keyfile = keyfile
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._shutdown: asyncio.Event | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 30.0) -> int:
        """Bind, start serving in the background and return the bound port.

        Raises:
            OSError: the address could not be bound.
            RuntimeError: the server failed to start.
        """
        from hypercorn.config import Config

        _patch_hypercorn()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
            self.port = sock.getsockname()[1]
            fd = os.dup(sock.fileno())  # hypercorn owns (and closes) the duplicate
        finally:
            sock.close()
        config = Config()
        config.bind = [f"fd://{fd}"]
        config.accesslog = None
        config.errorlog = _log
        config.graceful_timeout = 1.0
        config.keep_alive_timeout = self.idle_timeout
        # hypercorn closes a connection after 1,000 requests by default, which fails the next RPC on a
        # long-lived gRPC channel with UNAVAILABLE; the real service keeps channels open.
        config.keep_alive_max_requests = 2**62
        # The HPACK decoder must decode a big header block to keep the connection usable; the request
        # itself is refused by headers.check_headers.
        config.h2_max_header_list_size = H2_DECODER_LIMIT
        if self.certfile:
            # hypercorn passes no SSL shutdown timeout; asyncio's default waits 30 s for close_notify.
            asyncio.constants.SSL_SHUTDOWN_TIMEOUT = 0.5  # type: ignore[attr-defined]
            config.certfile = self.certfile
            config.keyfile = self.keyfile
        self._started.clear()
        self._error = None
        self._thread = threading.Thread(
            target=self._run, args=(config,), name=f"scalekit-emulator:{self.port}", daemon=True
        )
        self._thread.start()
        if not self._started.wait(timeout) or self._error is not None:
            self.stop()
            raise RuntimeError(f"emulator server failed to start: {self._error!r}")
        return self.port

    def _run(self, config: Any) -> None:
        from hypercorn.asyncio import serve

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._shutdown = asyncio.Event()

        async def main() -> None:
            assert self._shutdown is not None
            loop.call_soon(self._started.set)
            await serve(self.app, config, shutdown_trigger=self._shutdown.wait)

        try:
            loop.run_until_complete(main())
        except BaseException as exc:
            self._error = exc
            _log.error("emulator server stopped with an error: %r", exc)
        finally:
            loop.set_exception_handler(_quiet_cancellations)
            with contextlib.suppress(Exception):
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._started.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def call_soon(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the server's event loop (from any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(callback)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop serving (open connections get ``graceful_timeout`` to finish) and join the thread."""
        thread = self._thread
        if thread is None:
            return
        loop, shutdown = self._loop, self._shutdown
        if loop is not None and shutdown is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(shutdown.set)
        thread.join(timeout)
        if thread.is_alive():
            _log.warning("emulator server thread did not stop within %s s", timeout)
        self._thread = None
        self._loop = None
        self._shutdown = None
