"""The official SDK's convenience names against the emulator, in both flavours.

``*_by_external_id``, ``list_connections_by_domain``, ``get_primary_directory_by_organization_id``: each
acts on the same resource as the facade method it stands for.
"""

from __future__ import annotations

import pytest

from scalekit_api.v1.connections import connections_pb2
from scalekit_api.v1.directories import directories_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.users import users_pb2 as pb
from scalekit_py._client import ScalekitClient
from scalekit_py.errors import NotFoundError
from tests.e2e._support import api_error, returns_none, unique


def _org(client: ScalekitClient) -> str:
    return client.organization.create_organization(unique("Org")).id


def test_user_and_membership_by_external_id(client: ScalekitClient) -> None:
    org_id, other_org, ext = _org(client), _org(client), unique("ext")
    created = client.user.create_user_and_membership(
        org_id, user=pb.CreateUser(email=f"{ext}@example.com", external_id=ext)
    )
    assert client.user.get_user_by_external_id(ext) == client.user.get_user(created.id)

    renamed = client.user.update_user_by_external_id(
        ext, user=pb.UpdateUser(user_profile=pb.UpdateUserProfile(given_name="Ada"))
    )
    assert renamed.id == created.id
    assert renamed.user_profile.given_name == "Ada"

    joined = client.user.create_membership_by_external_id(other_org, ext, send_invitation_email=False)
    assert {m.organization_id for m in joined.memberships} == {org_id, other_org}

    updated = client.user.update_membership_by_external_id(
        other_org, ext, membership=pb.UpdateMembership(metadata={"team": "blue"})
    )
    member = next(m for m in updated.memberships if m.organization_id == other_org)
    assert dict(member.metadata) == {"team": "blue"}

    returns_none(lambda: client.user.delete_membership_by_external_id(other_org, ext))
    assert {m.organization_id for m in client.user.get_user(created.id).memberships} == {org_id}

    returns_none(lambda: client.user.delete_user_by_external_id(ext))
    api_error(NotFoundError, lambda: client.user.get_user_by_external_id(ext), grpc_code="NOT_FOUND")
    api_error(NotFoundError, lambda: client.user.delete_user_by_external_id(ext), grpc_code="NOT_FOUND")


def test_update_organization_by_external_id(client: ScalekitClient) -> None:
    ext = unique("acme")
    org = client.organization.create_organization(unique("Org"), external_id=ext)
    changed = client.organization.update_organization_by_external_id(
        ext, organization=organizations_pb2.UpdateOrganization(display_name="Renamed")
    )
    assert changed.id == org.id
    assert client.organization.get_organization(org.id).display_name == "Renamed"
    api_error(
        NotFoundError,
        lambda: client.organization.update_organization_by_external_id(
            unique("missing"), organization=organizations_pb2.UpdateOrganization(display_name="x")
        ),
        grpc_code="NOT_FOUND",
    )


def test_list_connections_by_domain(client: ScalekitClient) -> None:
    org_id, domain = _org(client), f"{unique('d')}.example.com"
    created = client.domain.create_domain(org_id, domain)
    conn = client.connection.create_connection(
        org_id,
        connection=connections_pb2.CreateConnection(provider=connections_pb2.OKTA, type=connections_pb2.OIDC),
    )
    client.connection.assign_domains_to_connection(org_id, conn.id, domain_ids=[created.id])
    by_domain = client.connection.list_connections_by_domain(domain, include="all")
    by_org = client.connection.list_connections(domain=domain, include="all")
    assert [c.id for c in by_domain.connections] == [c.id for c in by_org.connections]
    assert [c.id for c in by_domain.connections] == [conn.id]


def test_primary_directory_by_organization_id(client: ScalekitClient) -> None:
    org_id = _org(client)
    with pytest.raises(NotFoundError, match="has no directory"):
        client.directory.get_primary_directory_by_organization_id(org_id)
    first = client.directory.create_directory(
        org_id,
        directory=directories_pb2.CreateDirectory(
            directory_type=directories_pb2.SCIM, directory_provider=directories_pb2.OKTA
        ),
    )
    primary = client.directory.get_primary_directory_by_organization_id(org_id)
    assert primary.id == first.id
    assert primary == client.directory.list_directories(org_id).directories[0]


@pytest.mark.parametrize("status", [["ACTIVE"], ["ACTIVE", "EXPIRED"]])
def test_session_filter_is_accepted_by_get_user_sessions(client: ScalekitClient, status: list[str]) -> None:
    org_id = _org(client)
    user = client.user.create_user_and_membership(
        org_id, user=pb.CreateUser(email=f"{unique('s')}@example.com")
    )
    built = client.session.create_session_filter(status=status)
    page = client.session.get_user_sessions(user.id, filter=built)
    assert list(page.sessions) == []
    assert list(built.status) == status
