"""ClientService handlers called directly: the change events they emit, and secrets never stored."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_py.emulator import m2m
from scalekit_py.emulator.services.clients import ClientService
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Store


@pytest.fixture
def events() -> list[tuple[str, dict[str, Any]]]:
    return []


@pytest.fixture
def service(events: list[tuple[str, dict[str, Any]]]) -> Iterator[ClientService]:
    store = Store()
    with store.transaction() as tx:
        tx.insert("organization", "org_1", organizations_pb2.Organization(id="org_1"))
    state = EmulatorState(store=store, client_id="skc_admin")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(state, "emit", lambda t, d: events.append((t, d)))
        yield ClientService(state)
    store.close()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_organization_client_events_and_stored_secrets(
    service: ClientService, events: list[tuple[str, dict[str, Any]]]
) -> None:
    created = run(
        service.create_organization_client(
            pb.CreateOrganizationClientRequest(
                organization_id="org_1", client=pb.OrganizationClient(name="a")
            ),
            None,
        )
    )
    client_id = created.client.client_id
    added = run(
        service.create_organization_client_secret(
            pb.CreateOrganizationClientSecretRequest(organization_id="org_1", client_id=client_id), None
        )
    )
    run(
        service.delete_organization_client_secret(
            pb.DeleteOrganizationClientSecretRequest(
                organization_id="org_1", client_id=client_id, secret_id=added.secret.id
            ),
            None,
        )
    )
    run(
        service.delete_organization_client(
            pb.DeleteOrganizationClientRequest(organization_id="org_1", client_id=client_id), None
        )
    )
    assert [t for t, _ in events] == [
        "organization.client_created",
        "organization.client_secret_created",
        "organization.client_secret_deleted",
        "organization.client_deleted",
    ]
    assert all(d["organization_id"] == "org_1" and d["client_id"] == client_id for _, d in events)
    assert events[1][1]["secret_id"] == added.secret.id


def test_plain_secrets_are_never_stored(service: ClientService) -> None:
    created = run(
        service.create_organization_client(
            pb.CreateOrganizationClientRequest(
                organization_id="org_1", client=pb.OrganizationClient(name="a")
            ),
            None,
        )
    )
    env = run(
        service.create_client(
            pb.CreateClientRequest(client=pb.CreateClient(name="b", client_type="API")), None
        )
    )
    snapshot = service.state.store.snapshot()
    dump = "\n".join(snapshot.iterdump())
    rows = b"".join(bytes(r[0]) for r in snapshot.execute("SELECT data FROM docs"))
    for plain in (created.plain_secret, env.client.secrets[0].plain_secret):
        assert plain
        assert plain not in dump
        assert plain.encode() not in rows
    with service.state.store.transaction() as tx:
        assert m2m.authenticate(tx, created.client.client_id, created.plain_secret) is not None
        assert m2m.authenticate(tx, created.client.client_id, "sks_wrong") is None


def test_resource_events(service: ClientService, events: list[tuple[str, dict[str, Any]]]) -> None:
    res = run(
        service.create_resource(
            pb.CreateResourceRequest(resource=pb.CreateResource(name="r", resource_type=pb.MCP_SERVER)), None
        )
    ).resource
    client = run(
        service.create_resource_client(
            pb.CreateResourceClientRequest(resource_id=res.id, client=pb.ResourceClient(name="c")), None
        )
    ).client
    with service.state.store.transaction() as tx:
        consent = m2m.record_consent(tx, client.client_id, "ext_1", ["read"], 1000.0)
        again = m2m.record_consent(tx, client.client_id, "ext_1", ["write"], 1001.0)  # one per user
        assert consent is not None
        assert again is not None
        assert again.id == consent.id
        assert list(again.scopes) == ["read", "write"]
        assert [c.id for c in tx.all(m2m.CONSENT, pb.ResourceUserConsent, parent=res.id)] == [consent.id]
    run(
        service.revoke_user_consent(
            pb.RevokeUserConsentRequest(client_id=client.client_id, consent_id=consent.id), None
        )
    )
    run(service.delete_resource(pb.DeleteResourceRequest(resource_id=res.id), None))
    assert [t for t, _ in events] == [
        "resource.created",
        "resource.client_created",
        "resource.consent_revoked",
        "resource.client_deleted",
        "resource.deleted",
    ]
