"""Header abuse on one HTTP/2 connection: an oversized header block, 10,000 metadata entries or an
empty bearer fail only their own call, with a gRPC status, while the calls in flight on the same channel
complete (before: GOAWAY, and every call on the channel failed UNAVAILABLE)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import httpx
import pytest

from scalekit_api.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.headers import check_headers

BAD_METADATA: list[tuple[str, tuple[tuple[str, str], ...], grpc.StatusCode]] = [
    ("empty bearer", (("authorization", "Bearer "),), grpc.StatusCode.UNAUTHENTICATED),
    ("64 KB value", (("x-big", "a" * 65536),), grpc.StatusCode.RESOURCE_EXHAUSTED),
    ("10,000 entries", tuple((f"x-h{i}", "v") for i in range(10_000)), grpc.StatusCode.RESOURCE_EXHAUSTED),
]


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def test_bad_headers_fail_only_their_own_call(emu: Emulator) -> None:
    assert emu.seeded is not None
    good = (("authorization", f"Bearer {emu.access_token()}"),)
    request = domains_pb2.ListDomainRequest(organization_id=emu.seeded.organization_id)
    emu.faults.set(rpc_latency_ms=200)  # keeps the good calls in flight while the bad ones arrive
    try:
        with grpc.insecure_channel(emu.grpc_target) as channel, ThreadPoolExecutor(16) as pool:
            stub = domains_pb2_grpc.DomainServiceStub(channel)
            stub.ListDomains(request, metadata=good, timeout=30)  # the connection is up
            in_flight = [pool.submit(stub.ListDomains, request, metadata=good, timeout=30) for _ in range(12)]
            outcomes = {}
            for name, metadata, _ in BAD_METADATA:
                try:
                    stub.ListDomains(request, metadata=metadata, timeout=30)
                    outcomes[name] = grpc.StatusCode.OK
                except grpc.RpcError as exc:
                    outcomes[name] = exc.code()
            for future in in_flight:
                future.result()  # raises if the connection was torn down under it
            assert outcomes == {name: code for name, _, code in BAD_METADATA}
            stub.ListDomains(request, metadata=good, timeout=30)  # and the channel still works
    finally:
        emu.faults.clear()


def test_bad_headers_on_http_paths_are_a_client_error(emu: Emulator) -> None:
    with httpx.Client(http2=False) as http:
        reply = http.get(f"{emu.env_url}/keys", headers={"x-big": "a" * 70_000})
    assert reply.status_code == 431


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ([(b"authorization", b"Bearer ")], 16),
        ([(b"x-a", b"a\x00b")], 3),
        ([(b"x-a", b" padded")], 3),
        ([(b"X-Upper", b"v")], 3),
        ([(b"x-a", b"v")] * 3000, 8),
        ([(b"authorization", b"Bearer abc"), (b"x-a", b"v")], None),
    ],
)
def test_check_headers(headers: list[tuple[bytes, bytes]], code: int | None) -> None:
    problem = check_headers(headers)
    assert (problem.grpc_code if problem else None) == code
    if problem is not None:
        assert "Bearer" not in problem.message
        assert "\x00" not in problem.message
