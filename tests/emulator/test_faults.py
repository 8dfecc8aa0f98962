"""Fault injection and counters, from Python (the HTTP side is in test_admin.py)."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import httpx
import pytest

from scalekit_api.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.faults import Counters, Faults

LIST = "/scalekit.v1.domains.DomainService/ListDomains"


@pytest.fixture
def stub(emulator: Emulator, grpc_channel: grpc.Channel) -> Iterator[domains_pb2_grpc.DomainServiceStub]:
    emulator.faults.clear()
    yield domains_pb2_grpc.DomainServiceStub(grpc_channel)
    emulator.faults.clear()


def _codes(
    emu: Emulator, stub: domains_pb2_grpc.DomainServiceStub, n: int, method: str = "list"
) -> list[str]:
    assert emu.seeded is not None
    org = emu.seeded.organization_id
    codes = []
    for _ in range(n):
        try:
            if method == "list":
                stub.ListDomains(domains_pb2.ListDomainRequest(organization_id=org), timeout=10)
            else:
                stub.GetDomain(domains_pb2.GetDomainRequest(organization_id=org, id="dom_1"), timeout=10)
            codes.append("OK")
        except grpc.RpcError as exc:
            codes.append(exc.code().name)
    return codes


def test_next_n_rpcs_are_unavailable(emulator: Emulator, stub: domains_pb2_grpc.DomainServiceStub) -> None:
    before = emulator.counters.rpcs(LIST, "UNAVAILABLE")
    emulator.faults.set(rpc_unavailable_next=2)
    assert _codes(emulator, stub, 4) == ["UNAVAILABLE", "UNAVAILABLE", "OK", "OK"]
    assert emulator.counters.rpcs(LIST, "UNAVAILABLE") == before + 2
    assert emulator.faults.settings.rpc_unavailable_next == 0


def test_faults_can_target_methods(emulator: Emulator, stub: domains_pb2_grpc.DomainServiceStub) -> None:
    emulator.faults.set(rpc_unavailable_rate=1.0, methods=["GetDomain"])
    assert _codes(emulator, stub, 2, method="get") == ["UNAVAILABLE", "UNAVAILABLE"]
    assert _codes(emulator, stub, 2, method="list") == ["OK", "OK"]


def test_dropped_connections(emulator: Emulator, stub: domains_pb2_grpc.DomainServiceStub) -> None:
    before = emulator.counters.rpcs(LIST, "DROPPED")
    emulator.faults.set(rpc_drop_next=1)
    assert _codes(emulator, stub, 3) == ["UNAVAILABLE", "OK", "OK"]  # the channel reconnects
    assert emulator.counters.rpcs(LIST, "DROPPED") == before + 1


def test_added_latency_meets_deadlines(emulator: Emulator, stub: domains_pb2_grpc.DomainServiceStub) -> None:
    assert emulator.seeded is not None
    emulator.faults.set(rpc_latency_ms=3000, methods=[LIST])
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListDomains(
            domains_pb2.ListDomainRequest(organization_id=emulator.seeded.organization_id), timeout=0.2
        )
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert emulator.faults.rpc_latency(LIST) == 3.0
    assert emulator.faults.rpc_latency("/scalekit.v1.domains.DomainService/GetDomain") == 0.0


@pytest.mark.parametrize("status", [503, 429, 500])
def test_token_endpoint_faults(emulator: Emulator, status: int) -> None:
    emulator.faults.clear()
    emulator.faults.set(token_error_next=2, token_error_status=status, retry_after=7)
    form = {"grant_type": "client_credentials"}
    auth = (emulator.client_id, emulator.client_secret)
    before = emulator.counters.token_requests("client_credentials", status)
    try:
        with httpx.Client(base_url=emulator.env_url) as http:
            replies = [http.post("/oauth/token", data=form, auth=auth) for _ in range(3)]
    finally:
        emulator.faults.clear()
    assert [r.status_code for r in replies] == [status, status, 200]
    assert replies[0].json()["error"] in ("temporarily_unavailable", "rate_limit_exceeded", "server_error")
    if status in (429, 503):
        assert replies[0].headers["retry-after"] == "7"
    assert emulator.counters.token_requests("client_credentials", status) == before + 2


def test_rates_are_reproducible_with_a_seed() -> None:
    def run(seed: int) -> list[bool]:
        faults = Faults(seed)
        faults.set(rpc_unavailable_rate=0.5)
        return [faults.take_rpc_unavailable("/s/M") for _ in range(64)]

    first = run(7)
    assert first == run(7)
    assert 0 < sum(first) < 64
    always = Faults()
    always.set(rpc_drop_rate=1.0)
    assert all(always.take_rpc_drop("/s/M") for _ in range(10))


@pytest.mark.parametrize(
    "change",
    [{"no_such_fault": 1}, {"rpc_unavailable_rate": 1.5}, {"rpc_drop_next": -1}, {"token_error_status": 200},
     {"methods": "GetDomain"}, {"rpc_latency_ms": "slow"}, {"rpc_latency_ms": float("inf")},
     {"token_latency_ms": float("nan")}, {"rpc_latency_ms": 600_001}, {"rpc_unavailable_next": float("inf")},
     {"rpc_drop_next": 10**400}, {"rpc_unavailable_rate": float("nan")}],
)  # fmt: skip
def test_bad_settings_are_refused_and_change_nothing(change: dict[str, object]) -> None:
    faults = Faults()
    faults.set(rpc_unavailable_next=3)
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies by setting
        faults.set(**change)
    assert faults.settings.rpc_unavailable_next == 3


def test_counters() -> None:
    counters = Counters()
    counters.record_rpc("/a.S/Get", "OK")
    counters.record_rpc("/a.S/Get", "OK")
    counters.record_rpc("/a.S/List", "UNAVAILABLE")
    counters.record_token("client_credentials", 200)
    assert counters.rpcs() == 3
    assert counters.rpcs("Get") == 2
    assert counters.rpcs(code="UNAVAILABLE") == 1
    assert counters.token_requests() == 1
    assert counters.snapshot() == {
        "rpcs": {"/a.S/Get": {"OK": 2}, "/a.S/List": {"UNAVAILABLE": 1}},
        "token_requests": {"client_credentials": {"200": 1}},
    }
    counters.reset()
    assert counters.rpcs() == 0
