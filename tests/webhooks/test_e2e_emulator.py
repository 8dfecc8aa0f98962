"""End to end: webhook deliveries of a running emulator, verified with ``verify_webhook_payload``.

The receiver is a stdlib HTTP server on 127.0.0.1 that does what an application's endpoint does: it
verifies every delivery with the SDK and answers 204, or 400 when verification fails; it can also be
told to fail the first attempts with 503. Events are caused through the generated gRPC stubs, with a
client-credentials token minted by the emulator.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest

from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.errors import WebhookVerificationError
from scalekit_py.webhooks import verify_webhook_payload

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_QWxzbyBhIHNlY3JldCwgYnV0IG5vdCB0aGlzIG9uZQ=="


@dataclass(frozen=True)
class Attempt:
    """One POST the receiver got: headers (lower-cased names), raw body, and what it answered."""

    headers: dict[str, str]
    body: bytes
    status: int

    def event(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """State of the webhook endpoint: its secret, how many attempts to fail first, what it got."""

    secret: str = SECRET
    fail_first: int = 0
    url: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            if self.fail_first > 0:
                self.fail_first -= 1
                status = 503
            else:
                try:
                    verify_webhook_payload(self.secret, headers, body)
                    status = 204
                except WebhookVerificationError:
                    status = 400
            self.attempts.append(Attempt(headers, body, status))
        return status

    def accepted(self) -> list[Attempt]:
        with self.lock:
            return [a for a in self.attempts if a.status == 204]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            status = state.answer({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/scalekit"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _stub(channel: grpc.Channel) -> organizations_pb2_grpc.OrganizationServiceStub:
    return organizations_pb2_grpc.OrganizationServiceStub(channel)


def _auth(emu: Emulator) -> tuple[tuple[str, str | bytes], ...]:
    return (("authorization", f"Bearer {emu.access_token()}"),)


def _create_org(emu: Emulator, name: str) -> str:
    with grpc.insecure_channel(emu.grpc_target) as channel:
        reply = _stub(channel).CreateOrganization(
            organizations_pb2.CreateOrganizationRequest(
                organization=organizations_pb2.CreateOrganization(display_name=name)
            ),
            metadata=_auth(emu),
            timeout=10,
        )
    return reply.organization.id


def _flush(emu: Emulator) -> None:
    assert emu.webhooks is not None
    assert emu.webhooks.flush(timeout=10)


def test_organization_events_arrive_signed_and_in_order(receiver: Receiver) -> None:
    with Emulator(webhook_url=receiver.url, webhook_secret=SECRET) as emu:
        org_id = _create_org(emu, "Hooked Inc")
        with grpc.insecure_channel(emu.grpc_target) as channel:
            _stub(channel).UpdateOrganization(
                organizations_pb2.UpdateOrganizationRequest(
                    id=org_id, organization=organizations_pb2.UpdateOrganization(display_name="Hooked Ltd")
                ),
                metadata=_auth(emu),
                timeout=10,
            )
            _stub(channel).DeleteOrganization(
                organizations_pb2.DeleteOrganizationRequest(id=org_id), metadata=_auth(emu), timeout=10
            )
        _flush(emu)

    assert [a.status for a in receiver.attempts] == [204, 204, 204]  # each verified by the receiver
    events = [a.event() for a in receiver.attempts]
    assert [e["type"] for e in events] == [
        "organization.created",
        "organization.updated",
        "organization.deleted",
    ]
    assert all(e["data"]["organization_id"] == org_id for e in events)
    assert len({e["id"] for e in events}) == 3
    now = time.time()
    for attempt, event in zip(receiver.attempts, events, strict=True):
        assert attempt.headers["webhook-id"] == event["id"]
        assert abs(int(attempt.headers["webhook-timestamp"]) - now) < 300
        assert verify_webhook_payload(SECRET, attempt.headers, attempt.body, now=now) is True
        assert verify_webhook_payload(SECRET, list(attempt.headers.items()), attempt.body.decode()) is True


def test_a_receiver_failing_the_first_attempt_gets_a_retry(receiver: Receiver) -> None:
    receiver.fail_first = 1
    with Emulator(webhook_url=receiver.url, webhook_secret=SECRET) as emu:
        org_id = _create_org(emu, "Retry Inc")
        _flush(emu)
        assert emu.webhooks is not None
        deliveries = emu.webhooks.snapshot()

    first, retry = receiver.attempts
    assert (first.status, retry.status) == (503, 204)
    assert retry.headers["webhook-id"] == first.headers["webhook-id"]  # the same message, sent again
    assert retry.body == first.body
    assert retry.event()["data"]["organization_id"] == org_id
    # Each attempt is signed for its own timestamp, and both verify.
    assert verify_webhook_payload(SECRET, first.headers, first.body)
    assert verify_webhook_payload(SECRET, retry.headers, retry.body)
    assert len(deliveries) == 1
    assert (deliveries[0]["attempts"], deliveries[0]["delivered"], deliveries[0]["status"]) == (2, True, 204)


def test_wrong_secret_and_tampered_deliveries_are_rejected(receiver: Receiver) -> None:
    receiver.secret = OTHER_SECRET  # misconfigured endpoint: every attempt is refused with 400
    with Emulator(webhook_url=receiver.url, webhook_secret=SECRET) as emu:
        assert emu.webhooks is not None
        emu.webhooks.max_attempts = 1  # don't wait for the retries of a delivery that cannot succeed
        _create_org(emu, "Tamper Inc")
        _flush(emu)
        (delivery,) = emu.webhooks.snapshot()
    assert (delivery["status"], delivery["delivered"]) == (400, False)

    (attempt,) = receiver.attempts
    headers, body = attempt.headers, attempt.body
    assert verify_webhook_payload(SECRET, headers, body)  # the emulator's secret verifies it
    sent_at = int(headers["webhook-timestamp"])
    tampered: list[tuple[str, dict[str, str], bytes | str, float | None]] = [
        (
            "no matching signature",
            headers,
            body.replace(b"organization.created", b"organization.deleted"),
            None,
        ),
        ("no matching signature", headers, body + b" ", None),
        ("no matching signature", {**headers, "webhook-id": "evt_forged"}, body, None),
        ("no matching signature", {**headers, "webhook-timestamp": str(sent_at + 1)}, body, None),
        ("too old", headers, body, sent_at + 301),
        ("too new", headers, body, sent_at - 301),
        ("missing header webhook-signature", {"webhook-id": "x", "webhook-timestamp": "1"}, body, None),
    ]
    for reason, bad_headers, bad_body, now in tampered:
        with pytest.raises(WebhookVerificationError, match=reason):
            verify_webhook_payload(SECRET, bad_headers, bad_body, now=now)
