"""``client.directory`` against the emulator, in both flavours.

Directory users and groups arrive from the identity provider, which the admin API cannot create: the
emulator's ``add_directory_user`` / ``add_directory_group`` play the provider.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from scalekit_api.v1.directories import directories_pb2 as pb
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.services.directories import (
    add_directory_group,
    add_directory_user,
    verify_directory_secret,
)
from scalekit_py.errors import BadRequestError, NotFoundError, PreconditionFailedError
from tests.e2e._support import api_error, returns_none, unique, violated_fields

MISSING_DIR = "dir_999999999999"


def new_directory(client: ScalekitClient) -> tuple[str, pb.Directory]:
    org = client.organization.create_organization(unique("Org"))
    directory = client.directory.create_directory(org.id, directory_type=pb.SCIM, directory_provider=pb.OKTA)
    return org.id, directory


def populated(client: ScalekitClient, emulator: Emulator) -> tuple[str, str, list[str], list[str]]:
    """An enabled directory with groups g0, g1 and users u0..u2 (u0, u1 in g0; u2 in g1)."""
    org_id, directory = new_directory(client)
    client.directory.enable_directory(org_id, directory.id)
    groups = [
        add_directory_group(emulator.state, directory.id, f"Group {i}", external_id=f"ext-g{i}").id
        for i in range(2)
    ]
    users = [
        add_directory_user(
            emulator.state,
            directory.id,
            f"{unique('u')}@example.com",
            given_name=f"User{i}",
            groups=[groups[0] if i < 2 else groups[1]],
            detail={"title": f"t{i}"},
        ).id
        for i in range(3)
    ]
    return org_id, directory.id, groups, users


def test_directory_lifecycle(client: ScalekitClient) -> None:
    org_id, directory = new_directory(client)
    assert isinstance(directory, pb.Directory)
    assert directory.id.startswith("dir_")
    assert directory.organization_id == org_id
    assert (directory.directory_type, directory.directory_provider) == (pb.SCIM, pb.OKTA)
    assert (directory.enabled, directory.status) == (True, "DRAFT")  # a provider and a type: enabled
    assert client.directory.get_directory(org_id, directory.id) == directory
    listed = client.directory.list_directories(org_id)
    assert isinstance(listed, pb.ListDirectoriesResponse)
    assert [d.id for d in listed.directories] == [directory.id]

    renamed = client.directory.update_directory(
        org_id, directory.id, directory=pb.UpdateDirectory(name="Corporate Okta")
    )
    assert isinstance(renamed, pb.Directory)
    assert renamed.name == "Corporate Okta"

    assert client.directory.disable_directory(org_id, directory.id).enabled is False
    on = client.directory.enable_directory(org_id, directory.id)
    assert isinstance(on, pb.ToggleDirectoryResponse)
    assert on.enabled is True
    returns_none(lambda: client.directory.trigger_directory_sync(org_id, directory.id))
    synced = client.directory.get_directory(org_id, directory.id)
    assert synced.enabled
    assert synced.status == "COMPLETED"
    assert synced.HasField("last_synced_at")

    off = client.directory.disable_directory(org_id, directory.id)
    assert isinstance(off, pb.ToggleDirectoryResponse)
    assert off.enabled is False
    api_error(
        PreconditionFailedError,
        lambda: client.directory.trigger_directory_sync(org_id, directory.id),
        grpc_code="FAILED_PRECONDITION",
        error_code="DIRECTORY_DISABLED",
    )

    returns_none(lambda: client.directory.delete_directory(org_id, directory.id))
    api_error(
        NotFoundError,
        lambda: client.directory.get_directory(org_id, directory.id),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )
    assert client.directory.list_directories(org_id).directories == []


def test_directory_not_found(client: ScalekitClient) -> None:
    org_id, directory = new_directory(client)
    other = client.organization.create_organization(unique("Other"))
    for call in (
        lambda: client.directory.get_directory(other.id, directory.id),  # not through another organization
        lambda: client.directory.get_directory(org_id, MISSING_DIR),
        lambda: client.directory.update_directory(
            org_id, MISSING_DIR, directory=pb.UpdateDirectory(name="x")
        ),
        lambda: client.directory.enable_directory(org_id, MISSING_DIR),
        lambda: client.directory.disable_directory(org_id, MISSING_DIR),
        lambda: client.directory.delete_directory(org_id, MISSING_DIR),
        lambda: client.directory.trigger_directory_sync(org_id, MISSING_DIR),
        lambda: client.directory.list_directory_users(org_id, MISSING_DIR),
        lambda: client.directory.list_directory_groups(org_id, MISSING_DIR),
        lambda: client.directory.list_directory_groups_summary(org_id, MISSING_DIR),
        lambda: client.directory.create_directory_secret(org_id, MISSING_DIR),
        lambda: client.directory.regenerate_directory_secret(org_id, directory.id),  # no secret yet
        lambda: client.directory.list_directories("org_999999999999"),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")
    err = api_error(
        BadRequestError,
        lambda: client.directory.create_directory_secret(org_id, "not-a-directory-id"),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"directory_id"}


def test_users_and_pagers(client: ScalekitClient, emulator: Emulator) -> None:
    org_id, dir_id, groups, users = populated(client, emulator)
    first = client.directory.list_directory_users(org_id, dir_id, page_size=2)
    assert isinstance(first, pb.ListDirectoryUsersResponse)
    assert [u.id for u in first.users] == users[:2]
    assert first.total_size == 3
    assert first.next_page_token
    assert not first.users[0].HasField("user_detail")
    assert [g.id for g in first.users[0].groups] == [groups[0]]
    detailed = client.directory.list_directory_users(org_id, dir_id, include_detail=True, page_size=1)
    assert detailed.users[0].user_detail["title"] == "t0"

    assert [u.id for u in client.directory.iter_directory_users(org_id, dir_id, page_size=2)] == users
    pager = client.directory.iter_directory_users(org_id, dir_id, page_size=1, limit=2)
    assert [u.id for u in pager] == users[:2]
    rest = client.directory.iter_directory_users(org_id, dir_id, page_token=pager.next_page_token or "")
    assert [u.id for u in rest] == users[2:]
    in_group = client.directory.iter_directory_users(org_id, dir_id, directory_group_id=groups[1])
    assert [u.id for u in in_group] == users[2:]
    later = datetime.now(timezone.utc) + timedelta(days=1)
    assert list(client.directory.iter_directory_users(org_id, dir_id, updated_after=later)) == []
    api_error(
        NotFoundError,
        lambda: client.directory.list_directory_users(org_id, dir_id, directory_group_id="dirgroup_999999"),
        grpc_code="NOT_FOUND",
    )


def test_groups_and_pagers(client: ScalekitClient, emulator: Emulator) -> None:
    org_id, dir_id, groups, _ = populated(client, emulator)
    page = client.directory.list_directory_groups(org_id, dir_id, page_size=1)
    assert isinstance(page, pb.ListDirectoryGroupsResponse)
    assert [g.id for g in page.groups] == groups[:1]
    assert page.total_size == 2
    assert page.next_page_token
    assert page.groups[0].total_users == 2
    assert not page.groups[0].HasField("group_detail")
    detailed = client.directory.list_directory_groups(org_id, dir_id, include_detail=True)
    assert [g.group_detail["external_id"] for g in detailed.groups] == ["ext-g0", "ext-g1"]
    pager = client.directory.iter_directory_groups(org_id, dir_id, page_size=1, limit=1)
    assert [g.id for g in pager] == groups[:1]
    rest = client.directory.iter_directory_groups(org_id, dir_id, page_token=pager.next_page_token or "")
    assert [g.id for g in rest] == groups[1:]
    earlier = datetime.now(timezone.utc) - timedelta(days=1)
    assert [
        g.id for g in client.directory.iter_directory_groups(org_id, dir_id, updated_after=earlier)
    ] == groups

    summary = client.directory.list_directory_groups_summary(org_id, dir_id)
    assert isinstance(summary, pb.ListDirectoryGroupsResponse)
    assert [(g.id, g.display_name, g.total_users) for g in summary.groups] == [
        (groups[0], "Group 0", 2),
        (groups[1], "Group 1", 1),
    ]

    returns_none(
        lambda: client.directory.assign_groups_for_directory(org_id, dir_id, external_ids=["ext-g1"])
    )
    assert [g.id for g in client.directory.list_directory_groups_summary(org_id, dir_id).groups] == groups[1:]
    assert client.directory.get_directory(org_id, dir_id).groups_tracked == "SELECTED"
    everything = client.directory.list_directory_groups(org_id, dir_id, include_external_groups=True)
    assert [g.id for g in everything.groups] == groups


def test_roles_and_attributes(client: ScalekitClient, emulator: Emulator) -> None:
    org_id, dir_id, groups, _ = populated(client, emulator)
    assigned = client.directory.assign_roles(
        org_id, dir_id, assignments=[pb.RoleAssignment(group_id=groups[0], role_name="member")]
    )
    assert isinstance(assigned, pb.RoleAssignments)
    assert [(a.group_id, a.role_name) for a in assigned.assignments] == [(groups[0], "member")]
    assert assigned.assignments[0].role_id.startswith("role_")
    assert client.directory.get_directory(org_id, dir_id).role_assignments == assigned
    via_message = client.directory.assign_roles(
        org_id,
        dir_id,
        role_assignments=pb.RoleAssignments(
            assignments=[pb.RoleAssignment(group_id=groups[1], role_name="admin")]
        ),
    )
    assert [a.role_name for a in via_message.assignments] == ["admin"]
    api_error(
        NotFoundError,
        lambda: client.directory.assign_roles(
            org_id, dir_id, assignments=[pb.RoleAssignment(group_id=groups[0], role_name=unique("nope"))]
        ),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )
    api_error(
        NotFoundError,
        lambda: client.directory.assign_roles(
            org_id, dir_id, assignments=[pb.RoleAssignment(group_id="dirgroup_999999", role_name="member")]
        ),
        grpc_code="NOT_FOUND",
    )

    mapped = client.directory.update_attributes(
        org_id, dir_id, attributes=[pb.AttributeMapping(key="department", map_to="custom.department")]
    )
    assert isinstance(mapped, pb.AttributeMappings)
    assert [(a.key, a.map_to) for a in mapped.attributes] == [("department", "custom.department")]
    assert client.directory.get_directory(org_id, dir_id).attribute_mappings == mapped
    twice = [pb.AttributeMapping(key="title", map_to="a"), pb.AttributeMapping(key="title", map_to="b")]
    err = api_error(
        BadRequestError,
        lambda: client.directory.update_attributes(org_id, dir_id, attributes=twice),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"attribute_mapping.attributes[1].key"}


def test_secrets(client: ScalekitClient, emulator: Emulator) -> None:
    org_id, directory = new_directory(client)
    created = client.directory.create_directory_secret(org_id, directory.id)
    assert isinstance(created, pb.CreateDirectorySecretResponse)
    assert created.plain_secret
    assert created.secret.id.startswith("sec_")
    assert created.secret.status == pb.ACTIVE
    assert created.plain_secret.endswith(created.secret.secret_suffix)
    assert verify_directory_secret(emulator.state, directory.id, created.plain_secret)
    api_error(
        PreconditionFailedError,
        lambda: client.directory.create_directory_secret(org_id, directory.id),
        grpc_code="FAILED_PRECONDITION",
        error_code="DIRECTORY_SECRET_EXISTS",
        secrets=(created.plain_secret,),
    )
    renewed = client.directory.regenerate_directory_secret(org_id, directory.id)
    assert isinstance(renewed, pb.RegenerateDirectorySecretResponse)
    assert renewed.plain_secret != created.plain_secret
    assert renewed.secret.id != created.secret.id
    assert verify_directory_secret(emulator.state, directory.id, renewed.plain_secret)
    assert not verify_directory_secret(emulator.state, directory.id, created.plain_secret)
    stored = client.directory.get_directory(org_id, directory.id)
    assert {s.id: s.status for s in stored.secrets} == {
        created.secret.id: pb.INACTIVE,
        renewed.secret.id: pb.ACTIVE,
    }
    assert stored.status == "IN_PROGRESS"
