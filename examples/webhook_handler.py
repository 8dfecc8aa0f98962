"""Receive Scalekit webhooks: a plain ASGI endpoint that verifies Standard Webhooks signatures.

    python examples/webhook_handler.py

With ``SCALEKIT_WEBHOOK_SECRET`` (the endpoint's ``whsec_...`` secret) set, it serves
``POST /webhooks`` on 127.0.0.1:$PORT (default 8001) for your environment to call. Otherwise it starts a
local emulator that delivers its events here, creates an organization with the admin client, and prints
the verified event when it arrives.

What the endpoint does, in order:

1. reads the raw body (at most 1 MiB) and verifies it *before* parsing it, with
   :func:`scalekit_py.webhooks.verify_webhook_payload` (signature over id, timestamp and body; timestamp
   within 5 minutes) — a failure is answered ``400`` with the reason;
2. skips a message it has already handled (retries resend the same ``webhook-id``);
3. hands the event to your coroutine and answers ``204``. Keep that coroutine quick (queue slow work):
   a slow answer counts as a failed delivery and is retried.

No framework needed; requires hypercorn only to serve it (the ``emulator`` extra).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import ExitStack
from typing import Any

from scalekit_py.errors import WebhookVerificationError
from scalekit_py.webhooks import verify_webhook_payload

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
EventHandler = Callable[[dict[str, Any]], Awaitable[None]]

MAX_BODY = 1 << 20
_REMEMBERED_IDS = 10_000


async def print_event(event: dict[str, Any]) -> None:
    """The default event handler: one line per event."""
    print(f"webhook {event.get('id')}: {event.get('type')} {json.dumps(event.get('data'))}", flush=True)


class WebhookEndpoint:
    """ASGI app answering ``POST {path}`` with verified webhook deliveries.

    Args:
        secret: the endpoint's signing secret (``whsec_...``).
        on_event: awaited with each verified, new event (the parsed JSON body).
        path: the URL path deliveries are posted to.
    """

    def __init__(self, secret: str, on_event: EventHandler = print_event, *, path: str = "/webhooks") -> None:
        self._secret = secret
        self.on_event = on_event
        self.path = path
        self._seen: OrderedDict[str, None] = OrderedDict()

    def __repr__(self) -> str:
        return f"WebhookEndpoint(path={self.path!r})"  # never the secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] != self.path:
            await _answer(send, 404, {"error": "not found"})
            return
        if scope["method"] != "POST":
            await _answer(send, 405, {"error": "use POST"}, [(b"allow", b"POST")])
            return
        body = await _read_body(receive)
        if body is None:
            await _answer(send, 413, {"error": "body too large"})
            return
        try:
            # scope["headers"] (a list of (bytes, bytes) pairs) is accepted as is; names match in any case.
            verify_webhook_payload(self._secret, scope["headers"], body)
        except WebhookVerificationError as exc:
            await _answer(send, 400, {"error": "invalid webhook", "reason": str(exc)})
            return
        try:
            event = json.loads(body)  # parse only what Scalekit signed
        except ValueError:
            event = None
        if not isinstance(event, dict):
            await _answer(send, 400, {"error": "invalid webhook", "reason": "body is not a JSON object"})
            return
        message_id = _header(scope, b"webhook-id")
        if message_id in self._seen:
            await _answer(send, 204)  # a retry of a message already handled
            return
        await self.on_event(event)
        self._seen[message_id] = None
        if len(self._seen) > _REMEMBERED_IDS:
            self._seen.popitem(last=False)
        await _answer(send, 204)


def _header(scope: Scope, name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == name), "")


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it exceeds MAX_BODY."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(
    send: Send,
    status: int,
    body: dict[str, str] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    payload = json.dumps(body).encode() if body is not None else b""
    head = [(b"content-length", str(len(payload)).encode()), *(headers or [])]
    if payload:
        head.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": payload})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def serve(app: WebhookEndpoint, sock: socket.socket) -> None:
    """Serve ``app`` with hypercorn on an already bound, listening socket (which hypercorn takes over)."""
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"fd://{sock.detach()}"]
    config.accesslog = None
    await hypercorn_serve(app, config)  # type: ignore[arg-type]  # hypercorn types scopes as TypedDicts


async def _emulator_demo(endpoint: WebhookEndpoint, sock: socket.socket, env: tuple[str, str, str]) -> None:
    from scalekit_py import AsyncScalekitClient

    async def cause_an_event() -> None:
        async with AsyncScalekitClient(*env) as admin:
            org = await admin.organization.create_organization("Webhook Demo Inc")
        print(f"created organization {org.id} (watch for its organization.created webhook)", flush=True)

    await asyncio.gather(serve(endpoint, sock), cause_an_event())


def main() -> None:
    """Serve the endpoint on 127.0.0.1; without SCALEKIT_WEBHOOK_SECRET, feed it from a local emulator."""
    with ExitStack() as stack:
        sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        secret = os.environ.get("SCALEKIT_WEBHOOK_SECRET")
        sock.bind(("127.0.0.1", int(os.environ.get("PORT", "8001" if secret else "0"))))
        sock.listen(128)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks"
        try:
            if secret:
                print(f"webhook endpoint: {url} (Ctrl+C stops)", flush=True)
                asyncio.run(serve(WebhookEndpoint(secret), sock))
                return
            from scalekit_py.emulator import Emulator

            emu = stack.enter_context(Emulator(webhook_url=url))
            assert emu.webhook_secret is not None  # generated for the URL
            print(f"started the local emulator at {emu.env_url}; it delivers webhooks to {url}", flush=True)
            env = (emu.env_url, emu.client_id, emu.client_secret)
            asyncio.run(_emulator_demo(WebhookEndpoint(emu.webhook_secret), sock, env))
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
