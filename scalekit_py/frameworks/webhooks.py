"""A webhook route for Starlette / FastAPI: verify the delivery, parse the event, hand it to your code.

    app.add_route("/webhooks/scalekit", webhook_endpoint(os.environ["SCALEKIT_WEBHOOK_SECRET"], on_event),
                  methods=["POST"])

A delivery that fails verification (signature, timestamp, headers) or is not a JSON object gets 400 with
a short reason and never reaches the handler; a verified one is parsed and passed to ``handler`` (a function
or coroutine function taking the event ``dict``); the route answers 204 when it returns.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from scalekit_py import errors
from scalekit_py.webhooks import verify_webhook_payload

__all__ = ["parse_event", "webhook_endpoint"]

log = logging.getLogger("scalekit_py.frameworks")


def parse_event(secret: str, headers: Any, body: bytes, *, now: float | None = None) -> dict[str, Any]:
    """Verify a delivery and return its event.

    Raises:
        WebhookVerificationError: not signed by ``secret``, stale, or not a JSON object.
    """
    verify_webhook_payload(secret, headers, body, now=now)
    try:
        event = json.loads(body)
    except ValueError:
        raise errors.WebhookVerificationError("the payload is not JSON") from None
    if not isinstance(event, dict):
        raise errors.WebhookVerificationError("the payload is not a JSON object")
    return event


def webhook_endpoint(
    secret: str, handler: Callable[[dict[str, Any]], Awaitable[None] | None]
) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint that verifies and parses deliveries, then calls ``handler(event)``."""

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        try:
            event = parse_event(secret, request.headers, body)
        except errors.WebhookVerificationError as exc:
            log.info("webhook refused: %s", exc)
            return JSONResponse({"error": "invalid webhook", "detail": str(exc)}, status_code=400)
        result = handler(event)
        if inspect.isawaitable(result):
            await result
        return Response(status_code=204)

    return endpoint
