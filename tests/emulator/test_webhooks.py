"""Webhook delivery: Standard-Webhooks signatures, event content, retries with backoff."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from scalekit_api.v1.events import events_pb2
from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_py.emulator import Emulator, event_log
from scalekit_py.emulator.store import Store
from scalekit_py.emulator.webhooks import WebhookSender, new_webhook_secret
from scalekit_py.webhooks import verify_webhook_payload
from tests.support.webhook_receiver import Receiver, serve_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as state:
        yield state


def _create_org(emu: Emulator, name: str) -> str:
    with grpc.insecure_channel(emu.grpc_target) as channel:
        reply = organizations_pb2_grpc.OrganizationServiceStub(channel).CreateOrganization(
            organizations_pb2.CreateOrganizationRequest(
                organization=organizations_pb2.CreateOrganization(display_name=name)
            ),
            metadata=(("authorization", f"Bearer {emu.access_token()}"),),
        )
    return reply.organization.id


def _event(event_type: str, data: dict[str, Any]) -> events_pb2.Event:
    """A recorded event, as the event log hands it to the sender."""
    store = Store()
    with store.transaction() as tx:
        return event_log.record(tx, event_type, data, occurred_at=1_700_000_000.0, environment_id="env_t")


def test_events_are_delivered_signed(receiver: Receiver) -> None:
    secret = new_webhook_secret()
    with Emulator(webhook_url=receiver.url, webhook_secret=secret) as emu:
        assert emu.webhooks is not None
        org_id = _create_org(emu, "Hooked Inc")
        assert emu.webhooks.flush()
        snapshot = emu.webhooks.snapshot()
    bodies = receiver.bodies()
    assert [b["type"] for b in bodies] == ["organization.created"]  # the seed sends nothing
    event = bodies[0]
    assert org_id in json.dumps(event["data"])
    assert event["environment_id"] == "env_emulator"
    assert event["id"].startswith("evt_")
    headers, raw = receiver.received[0]
    assert headers["webhook-id"] == event["id"]
    assert headers["content-type"] == "application/json"
    assert verify_webhook_payload(secret, headers, raw)
    assert snapshot == [
        {"event_id": event["id"], "event_type": "organization.created", "attempts": 1, "status": 204,
         "delivered": True, "error": ""}
    ]  # fmt: skip


def test_a_wrong_secret_does_not_verify(receiver: Receiver) -> None:
    from scalekit_py.errors import WebhookVerificationError

    with Emulator(webhook_url=receiver.url, seed=False) as emu:
        assert emu.webhook_secret is not None
        assert emu.webhook_secret.startswith("whsec_")
        assert emu.webhook_secret not in repr(emu)
        _create_org(emu, "Secretive")
        assert emu.webhooks is not None
        assert emu.webhooks.flush()
    headers, raw = receiver.received[0]
    assert verify_webhook_payload(emu.webhook_secret, headers, raw)
    with pytest.raises(WebhookVerificationError):
        verify_webhook_payload(new_webhook_secret(), headers, raw)


def test_failed_deliveries_are_retried(receiver: Receiver) -> None:
    receiver.statuses = [500, 503]
    sender = WebhookSender(receiver.url, new_webhook_secret(), backoff=0.01)
    sender.start()
    try:
        sender.send(_event("user.created", {"id": "usr_1"}))
        sender.send(_event("user.deleted", {"id": "usr_1"}))
        assert sender.flush()
    finally:
        sender.stop()
    assert [b["type"] for b in receiver.bodies()] == ["user.created"] * 3 + ["user.deleted"]
    ids = {headers["webhook-id"] for headers, _ in receiver.received[:3]}
    assert len(ids) == 1  # a retry is the same message
    first, second = sender.snapshot()
    assert (first["attempts"], first["delivered"], first["status"]) == (3, True, 204)
    assert (second["attempts"], second["delivered"]) == (1, True)


def test_delivery_gives_up_after_max_attempts(receiver: Receiver) -> None:
    receiver.statuses = [500] * 10
    sender = WebhookSender(receiver.url, new_webhook_secret(), backoff=0.01, max_attempts=3)
    sender.start()
    try:
        sender.send(_event("role.created", {"name": "x"}))
        assert sender.flush()
    finally:
        sender.stop()
    assert len(receiver.received) == 3
    assert sender.snapshot()[0] | {"event_id": ""} == {
        "event_id": "", "event_type": "role.created", "attempts": 3, "status": 500, "delivered": False,
        "error": "HTTP 500",
    }  # fmt: skip


def test_unreachable_receiver_is_recorded() -> None:
    sender = WebhookSender("http://127.0.0.1:9/nothing", new_webhook_secret(), backoff=0.01, max_attempts=2)
    sender.start()
    try:
        sender.send(_event("user.created", {}))
        assert sender.flush()
    finally:
        sender.stop()
    delivery = sender.snapshot()[0]
    assert delivery["delivered"] is False
    assert delivery["status"] == 0
    assert delivery["error"] == "ConnectError"


def test_bad_secret_is_refused_up_front() -> None:
    from scalekit_py.errors import WebhookVerificationError

    with pytest.raises(WebhookVerificationError):
        WebhookSender("http://127.0.0.1:9/", "whsec_not base64!")
