"""Webhook delivery: every recorded event is POSTed, signed the Standard Webhooks way, with retries.

The sender listens to the event log (:mod:`scalekit_py.emulator.event_log`): each recorded event becomes
one JSON body, with the id ``ListEvents`` shows for it::

    {"spec_version": "1", "id": "evt_...", "type": "organization.created", "object": "Organization",
     "environment_id": "env_emulator", "organization_id": "org_...",
     "occurred_at": "2026-01-01T00:00:00.000Z", "data": {...}}

sent with the headers ``webhook-id`` (the event id), ``webhook-timestamp`` (Unix seconds) and
``webhook-signature`` (``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` keyed by the ``whsec_``
secret). Events are delivered one at a time, in order, from a background thread. A delivery that fails
(connection error or a non-2xx answer) is retried with exponential backoff up to ``max_attempts`` times;
then it is recorded as failed and the next event goes out.
"""

from __future__ import annotations

import base64
import json
import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scalekit_api.v1.events import events_pb2

__all__ = ["Delivery", "WebhookSender", "new_webhook_secret"]


def new_webhook_secret() -> str:
    """A fresh ``whsec_`` signing secret (24 random bytes, base64)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@dataclass
class Delivery:
    """The fate of one event: attempts made, last HTTP status (0 = no answer) and whether it landed."""

    event_id: str
    event_type: str
    attempts: int = 0
    status: int = 0
    delivered: bool = False
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "attempts": self.attempts,
            "status": self.status,
            "delivered": self.delivered,
            "error": self.error,
        }


@dataclass
class _Event:
    id: str
    body: bytes
    delivery: Delivery = field(repr=False)


class WebhookSender:
    """Delivers events to one URL from a background thread.

    Args:
        url: the receiver.
        secret: the ``whsec_`` signing secret.
        max_attempts: deliveries tried per event (the first try included).
        backoff: seconds before the first retry; doubled after each further failure (capped at 30 s).
        timeout: seconds per HTTP request.
        clock: seconds since the epoch (the ``webhook-timestamp``).
    """

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        max_attempts: int = 5,
        backoff: float = 0.5,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
        verify: Any = True,
    ) -> None:
        from scalekit_py.webhooks import sign_webhook_payload

        sign_webhook_payload(secret, "probe", 0, b"")  # fail now, not in the worker, on a bad secret
        self.url = url
        self._secret = secret
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.timeout = timeout
        self.clock = clock
        self.verify = verify
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[_Event | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WebhookSender(url={self.url!r}, deliveries={len(self.deliveries)})"

    def send(self, event: events_pb2.Event) -> None:
        """Queue one recorded event for delivery (an ``EmulatorState`` listener)."""
        from scalekit_py.emulator.event_log import webhook_body

        body = webhook_body(event)
        delivery = Delivery(event.id, event.type)
        with self._lock:
            self.deliveries.append(delivery)
        self._queue.put(_Event(event.id, json.dumps(body, separators=(",", ":")).encode(), delivery))

    def start(self) -> None:
        """Start the delivery thread (a no-op when it runs)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="scalekit-emulator-webhooks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the event in flight (queued events stay queued for a later :meth:`start`)."""
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event was delivered or given up on; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                pending = [d for d in self.deliveries if not d.delivered and d.attempts < self.max_attempts]
            if not pending and self._queue.empty():
                return True
            time.sleep(0.01)
        return False

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [d.as_dict() for d in self.deliveries]

    def _run(self) -> None:
        import httpx

        with httpx.Client(timeout=self.timeout, verify=self.verify) as client:
            while not self._stop.is_set():
                event = self._queue.get()
                if event is None:
                    continue
                self._deliver(client, event)

    def _deliver(self, client: Any, event: _Event) -> None:
        import httpx

        from scalekit_py.webhooks import sign_webhook_payload

        delay = self.backoff
        while True:
            timestamp = int(self.clock())
            headers = {
                "content-type": "application/json",
                "webhook-id": event.id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign_webhook_payload(self._secret, event.id, timestamp, event.body),
            }
            try:
                reply = client.post(self.url, content=event.body, headers=headers)
                status, error = reply.status_code, "" if reply.is_success else f"HTTP {reply.status_code}"
            except httpx.HTTPError as exc:
                status, error = 0, type(exc).__name__
            with self._lock:
                event.delivery.attempts += 1
                event.delivery.status, event.delivery.error = status, error
                event.delivery.delivered = not error
                done = not error or event.delivery.attempts >= self.max_attempts
            if done or self._stop.wait(delay):
                return
            delay = min(delay * 2, 30.0)
