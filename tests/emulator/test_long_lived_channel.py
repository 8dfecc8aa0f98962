"""A long-lived gRPC channel keeps working past the HTTP server's per-connection request budget."""

from __future__ import annotations

import grpc

from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_py.emulator import Emulator


def test_more_than_a_thousand_calls_on_one_connection(emulator: Emulator, grpc_channel: grpc.Channel) -> None:
    # hypercorn's default closes a connection after 1,000 requests; call 1,001 then failed UNAVAILABLE.
    assert emulator.seeded is not None
    stub = organizations_pb2_grpc.OrganizationServiceStub(grpc_channel)
    request = organizations_pb2.GetOrganizationRequest(id=emulator.seeded.organization_id)
    for _ in range(1_050):
        assert stub.GetOrganization(request, timeout=10).organization.id == request.id
