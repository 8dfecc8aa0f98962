"""frameworks.webhooks: signed deliveries reach the handler parsed; bad ones get 400 and never do."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from scalekit_py.frameworks.webhooks import webhook_endpoint
from scalekit_py.webhooks import sign_webhook_payload

SECRET = "whsec_" + "c2VjcmV0LWZvci13ZWJob29rLXRlc3RzLTAxMjM0NTY3"


def _app(received: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    async def on_event(event: dict[str, Any]) -> None:
        received.append(event)

    app.add_route("/hooks", webhook_endpoint(SECRET, on_event), methods=["POST"])
    return app


def _headers(body: bytes, *, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = int(time.time()) if ts is None else ts
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign_webhook_payload(secret, "msg_1", stamp, body),
    }


def test_verified_delivery_is_parsed_and_handled() -> None:
    received: list[dict[str, Any]] = []
    body = json.dumps({"type": "organization.created", "data": {"id": "org_1"}}).encode()
    with TestClient(_app(received)) as client:
        reply = client.post("/hooks", content=body, headers=_headers(body))
    assert reply.status_code == 204
    assert received == [{"type": "organization.created", "data": {"id": "org_1"}}]


def test_bad_deliveries_get_400_and_never_reach_the_handler() -> None:
    received: list[dict[str, Any]] = []
    body = b'{"type": "user.created"}'
    other = "whsec_" + "b3RoZXItc2VjcmV0LW9mLWFub3RoZXItZW5kcG9pbnQ="
    cases = [
        (body + b" ", _headers(body)),  # tampered body
        (body, _headers(body, ts=int(time.time()) - 3600)),  # stale
        (body, _headers(body, secret=other)),  # foreign signer
        (body, {}),  # unsigned
        (b"[1, 2]", _headers(b"[1, 2]")),  # signed, but not an event object
    ]
    with TestClient(_app(received)) as client:
        for content, headers in cases:
            reply = client.post("/hooks", content=content, headers=headers)
            assert reply.status_code == 400
            assert reply.json()["error"] == "invalid webhook"
    assert received == []
