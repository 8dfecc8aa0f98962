"""Both clients under injected faults on the emulator: reads ride them out, writes fail typed and once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from scalekit_py import (
    AsyncScalekitClient,
    RetryPolicy,
    ScalekitClient,
    ServiceUnavailableError,
)
from scalekit_py.emulator import Emulator

GET_ORG = "GetOrganization"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


def _org(emu: Emulator) -> str:
    assert emu.seeded is not None
    return emu.seeded.organization_id


def test_async_burst_rides_out_an_unavailable_window(emu: Emulator) -> None:
    org_id = _org(emu)

    async def burst() -> list[str]:
        async with AsyncScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
            await client.organization.get_organization(org_id)  # token and channel warm
            emu.counters.reset()
            emu.faults.set(rpc_unavailable_next=100)
            orgs = await asyncio.gather(*(client.organization.get_organization(org_id) for _ in range(300)))
            return [o.id for o in orgs]

    assert asyncio.run(burst()) == [org_id] * 300
    assert emu.counters.rpcs(GET_ORG, "UNAVAILABLE") == 100
    assert emu.counters.rpcs(GET_ORG, "OK") == 300


def test_dropped_connections_are_retried_for_reads(emu: Emulator) -> None:
    org_id = _org(emu)
    with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
        client.organization.get_organization(org_id)
        emu.counters.reset()
        emu.faults.set(rpc_drop_next=3)
        assert [client.organization.get_organization(org_id).id for _ in range(5)] == [org_id] * 5
    assert emu.counters.rpcs(GET_ORG, "DROPPED") == 3
    assert emu.counters.rpcs(GET_ORG, "OK") == 5


def test_a_write_is_not_retried_unless_asked(emu: Emulator) -> None:
    name = f"fault-{uuid.uuid4().hex[:8]}"
    with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
        client.organization.get_organization(_org(emu))
        emu.faults.set(rpc_unavailable_next=1)
        with pytest.raises(ServiceUnavailableError) as info:
            client.organization.create_organization(name)
        assert info.value.grpc_code == "UNAVAILABLE"
        assert not [
            o for o in client.organization.iter_organizations(page_size=100) if o.display_name == name
        ]

        emu.faults.set(rpc_unavailable_next=1)
        retrying = client.with_options(retry=RetryPolicy(retry_writes=True))
        created = retrying.organization.create_organization(name)
        assert [
            o.id for o in client.organization.iter_organizations(page_size=100) if o.display_name == name
        ] == [created.id]


def test_token_endpoint_outage_is_retried(emu: Emulator) -> None:
    emu.faults.set(token_error_next=2, token_error_status=503)
    with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
        assert client.organization.get_organization(_org(emu)).id == _org(emu)
    assert emu.counters.token_requests("client_credentials", 503) == 2
    assert emu.counters.token_requests("client_credentials", 200) == 1
