"""The ``/_emulator/`` HTTP control endpoints: faults, counters, outbox, keys, webhooks, info."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import httpx
import pytest

from scalekit_api.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.state import OutboxMessage


@pytest.fixture
def admin(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{emulator.env_url}/_emulator") as client:
        yield client
    emulator.faults.clear()


def test_faults_over_http(emulator: Emulator, admin: httpx.Client, grpc_channel: grpc.Channel) -> None:
    assert emulator.seeded is not None
    reply = admin.put("/faults", json={"rpc_unavailable_next": 1, "token_error_rate": 0.25})
    assert reply.status_code == 200
    assert reply.json()["rpc_unavailable_next"] == 1
    assert emulator.faults.settings.token_error_rate == 0.25
    stub = domains_pb2_grpc.DomainServiceStub(grpc_channel)
    request = domains_pb2.ListDomainRequest(organization_id=emulator.seeded.organization_id)
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListDomains(request)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert admin.get("/faults").json()["rpc_unavailable_next"] == 0
    assert admin.delete("/faults").json()["token_error_rate"] == 0.0
    stub.ListDomains(request)


@pytest.mark.parametrize(
    "body",
    [b'{"rpc_unavailable_rate": 2}', b'{"bogus": 1}', b"[1]", b"not json", b'{"rpc_latency_ms": 1e309}',
     b'{"rpc_latency_ms": NaN}', b'{"rpc_unavailable_next": 1e309}'],
)  # fmt: skip
def test_bad_fault_settings_are_400(emulator: Emulator, admin: httpx.Client, body: bytes) -> None:
    reply = admin.put("/faults", content=body, headers={"content-type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_request"
    assert emulator.faults.settings.rpc_unavailable_rate == 0.0
    assert emulator.faults.settings.rpc_latency_ms == 0.0
    assert emulator.faults.settings.rpc_unavailable_next == 0


def test_counters_over_http(emulator: Emulator, admin: httpx.Client, grpc_channel: grpc.Channel) -> None:
    assert emulator.seeded is not None
    domains_pb2_grpc.DomainServiceStub(grpc_channel).ListDomains(
        domains_pb2.ListDomainRequest(organization_id=emulator.seeded.organization_id)
    )
    counts = admin.get("/counters").json()
    assert counts == emulator.counters.snapshot()
    assert counts["rpcs"]["/scalekit.v1.domains.DomainService/ListDomains"]["OK"] >= 1
    assert admin.delete("/counters").json() == {"rpcs": {}, "token_requests": {}}
    assert emulator.counters.rpcs() == 0


def test_outbox_over_http(emulator: Emulator, admin: httpx.Client) -> None:
    emulator.state.send_mail(OutboxMessage(to="Someone@Example.com", kind="passwordless", code="123456"))
    emulator.state.send_mail(OutboxMessage(to="other@example.com", kind="invitation", link="http://x/y"))
    mine = admin.get("/outbox", params={"to": "someone@example.com"}).json()["messages"]
    assert [(m["kind"], m["code"]) for m in mine] == [("passwordless", "123456")]
    assert len(admin.get("/outbox").json()["messages"]) == len(emulator.outbox)
    assert [m.code for m in emulator.mail_to("someone@example.com")] == ["123456"]


def test_info_and_health(emulator: Emulator, admin: httpx.Client) -> None:
    info = admin.get("/info")
    assert info.json()["env_url"] == emulator.env_url
    assert info.json()["client_id"] == emulator.client_id
    assert emulator.client_secret not in info.text
    assert admin.get("/health").json() == {"status": "ok"}
    assert admin.get("/webhooks").json() == {"url": None, "deliveries": []}
    assert admin.get("/nothing-here").status_code == 404
