"""``client.events`` against the emulator, in both flavours: one event log for every change, the same
records the webhooks deliver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from scalekit_api.v1.connections import connections_pb2
from scalekit_api.v1.directories import directories_pb2
from scalekit_api.v1.events import events_pb2 as pb
from scalekit_api.v1.roles import roles_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.services.directories import add_directory_user
from scalekit_py.emulator.webhooks import new_webhook_secret
from scalekit_py.errors import BadRequestError
from tests.e2e._support import api_error, register_secret, unique, violated_fields
from tests.support.webhook_receiver import Receiver, serve_receiver


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as state:
        yield state


@pytest.fixture(scope="module")
def emulator(receiver: Receiver) -> Iterator[Emulator]:
    """This module's emulator also delivers webhooks, to compare them with the listed events."""
    with Emulator(webhook_url=receiver.url, webhook_secret=new_webhook_secret()) as emu:
        register_secret(emu.client_secret)
        yield emu


def org_events(client: ScalekitClient, org_id: str) -> list[pb.ScalekitEvent]:
    return list(client.events.iter_events(organization_id=org_id, page_size=100))


def test_every_kind_of_change_is_logged(client: ScalekitClient, emulator: Emulator) -> None:
    org_id = client.organization.create_organization(unique("Org")).id
    client.organization.update_organization(org_id, display_name=unique("Renamed"))
    user = client.user.create_user_and_membership(
        org_id, user=users_pb2.CreateUser(email=f"{unique('ev')}@example.com")
    )
    client.user.update_membership(org_id, user.id, membership=users_pb2.UpdateMembership(roles=[]))
    client.role.create_organization_role(
        org_id, role=roles_pb2.CreateOrganizationRole(name=unique("r"), display_name="R")
    )
    conn = client.connection.create_connection(
        org_id,
        connection=connections_pb2.CreateConnection(provider=connections_pb2.OKTA, type=connections_pb2.OIDC),
    )
    directory = client.directory.create_directory(
        org_id, directory_type=directories_pb2.SCIM, directory_provider=directories_pb2.OKTA
    )
    add_directory_user(emulator.state, directory.id, f"{unique('scim')}@example.com")
    client.directory.disable_directory(org_id, directory.id)
    domain = client.domain.create_domain(org_id, f"{unique('d').replace('_', '-')}.example.com")
    token = client.tokens.create_token(org_id, description="events")

    events = org_events(client, org_id)
    types = [e.type for e in events]
    assert types == [
        "organization.api_token_created",
        "organization.domain_created",
        "organization.directory_disabled",
        "organization.directory.user_created",
        "organization.directory_enabled",
        "organization.directory_created",
        "organization.sso_created",
        "role.created",
        "organization.membership_updated",
        "organization.membership_created",
        "organization.updated",
        "organization.created",
    ]  # newest first
    by_type = {e.type: e for e in events}
    assert all(e.organization_id == org_id for e in events)
    assert all(e.id.startswith("evt_") and e.environment_id == emulator.state.environment_id for e in events)
    assert by_type["organization.created"].object == pb.Organization
    assert by_type["organization.sso_created"].object == pb.Connection
    assert by_type["organization.sso_created"].data["connection_id"] == conn.id
    assert by_type["organization.domain_created"].data["domain_id"] == domain.id
    assert by_type["organization.directory.user_created"].object == pb.DirectoryUser
    assert by_type["organization.api_token_created"].data["token_id"] == token.token_id
    assert token.token not in str(by_type["organization.api_token_created"])
    assert by_type["organization.membership_created"].data["user_id"] == user.id
    occurred = [e.occurred_at.ToNanoseconds() for e in events]
    assert occurred == sorted(occurred, reverse=True)

    users = client.events.list_events(event_types=["user.created"], page_size=100).events
    assert any(e.data["user_id"] == user.id for e in users)
    assert all(not e.HasField("organization_id") for e in users)  # a user is environment-wide

    # Filters: source, types, connection, time range (start inclusive, end exclusive).
    synced = client.events.list_events(organization_id=org_id, source=pb.DIR_SYNC).events
    assert [e.type for e in synced] == ["organization.directory.user_created"]
    scalekit = client.events.list_events_paginated(organization_id=org_id, source=pb.SCALEKIT, page_size=100)
    assert len(scalekit.events) == len(events) - 1
    picked = client.events.list_events(
        organization_id=org_id, event_types=["organization.created", "role.created"]
    )
    assert [e.type for e in picked.events] == ["role.created", "organization.created"]
    assert picked.total_size == 2
    about_conn = client.events.list_events(connection_id=conn.id).events
    assert [e.type for e in about_conn] == ["organization.sso_created"]
    middle = events[5].occurred_at.ToDatetime()
    since = client.events.list_events(organization_id=org_id, start_time=middle, page_size=100).events
    assert [e.id for e in since] == [e.id for e in events[:6]]
    before = client.events.list_events_paginated(
        filter=pb.EventFilter(organization_id=org_id), end_time=middle, page_size=100
    ).events
    assert [e.id for e in before] == [e.id for e in events[6:]]


def test_pages_are_stable_while_events_arrive(client: ScalekitClient) -> None:
    org_id = client.organization.create_organization(unique("Org")).id
    for i in range(6):
        client.organization.update_organization(org_id, display_name=f"v{i}")
    assert len(org_events(client, org_id)) == 7

    for list_page in (client.events.list_events, client.events.list_events_paginated):
        snapshot = [e.id for e in org_events(client, org_id)]
        first = list_page(organization_id=org_id, page_size=3)
        assert [e.id for e in first.events] == snapshot[:3]
        client.tokens.create_token(org_id)  # a new event between pages
        second = list_page(organization_id=org_id, page_size=3, page_token=first.next_page_token)
        assert [e.id for e in second.events] == snapshot[3:6]
        assert second.prev_page_token
        rest = list_page(organization_id=org_id, page_size=100, page_token=second.next_page_token)
        assert [e.id for e in rest.events] == snapshot[6:]
        assert rest.next_page_token == ""
    assert client.events.list_events(organization_id=org_id).total_size == 9

    newest = [e.id for e in client.events.iter_events(organization_id=org_id, page_size=2)]
    assert newest[1:] == snapshot
    paged = client.events.iter_events_paginated(organization_id=org_id, page_size=4, limit=5)
    assert [e.id for e in paged] == newest[:5]
    assert paged.next_page_token


def test_webhooks_carry_the_listed_event_ids(
    client: ScalekitClient, emulator: Emulator, receiver: Receiver
) -> None:
    org_id = client.organization.create_organization(unique("Hooked")).id
    token = client.tokens.create_token(org_id)
    client.tokens.invalidate_token(token.token_id)
    assert emulator.webhooks is not None
    assert emulator.webhooks.flush()
    listed = {e.id: e for e in org_events(client, org_id)}
    delivered = [b for b in receiver.bodies() if b.get("organization_id") == org_id]
    assert [b["type"] for b in delivered] == [
        "organization.created",
        "organization.api_token_created",
        "organization.api_token_invalidated",
    ]
    for body in delivered:
        event = listed[body["id"]]
        assert body["type"] == event.type
        assert body["object"] == pb.ObjectType.Name(event.object)
        assert body["environment_id"] == event.environment_id
        assert body["data"] == dict(event.data)
    assert token.token not in str(receiver.bodies())


def test_bad_filters_and_page_tokens(client: ScalekitClient) -> None:
    client.organization.create_organization(unique("Bad filters"))  # at least one event, run alone too
    now = client.events.list_events(page_size=1).events[0].occurred_at.ToDatetime()
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"start_time": now, "end_time": now - timedelta(seconds=1)}, {"filter.end_time"}),
        ({"organization_id": "acme"}, {"filter.organization_id"}),
        ({"connection_id": "okta"}, {"filter.connection_id"}),
        ({"event_types": ["organization.created", "Not A Type"]}, {"filter.event_types[1]"}),
        ({"source": 7}, {"filter.source"}),
        ({"page_token": "garbage"}, {"page_token"}),
    ]
    for kwargs, fields in cases:
        for list_page in (client.events.list_events, client.events.list_events_paginated):
            err = api_error(BadRequestError, lambda: list_page(**kwargs), grpc_code="INVALID_ARGUMENT")  # noqa: B023
            assert violated_fields(err) == fields, kwargs
