"""DirectoryService through the generated gRPC stubs: directories, enable/disable, sync, secrets, IdP-pushed
users and groups (via the Python helpers) with paging and filters, group selection, roles, attributes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from scalekit_api.v1.directories import directories_pb2 as pb
from scalekit_api.v1.directories import directories_pb2_grpc
from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_api.v1.roles import roles_pb2
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.services.directories import (
    add_directory_group,
    add_directory_user,
    remove_directory_group,
    remove_directory_user,
    verify_directory_secret,
)
from scalekit_py.emulator.store import new_id

Stub = directories_pb2_grpc.DirectoryServiceStub
Events = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def stub(grpc_channel: grpc.Channel) -> Stub:
    return directories_pb2_grpc.DirectoryServiceStub(grpc_channel)


@pytest.fixture
def org_id(grpc_channel: grpc.Channel) -> str:
    orgs = organizations_pb2_grpc.OrganizationServiceStub(grpc_channel)
    spec = organizations_pb2.CreateOrganization(display_name=uid("Org "))
    return str(
        orgs.CreateOrganization(
            organizations_pb2.CreateOrganizationRequest(organization=spec)
        ).organization.id
    )


@pytest.fixture
def emitted(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Events:
    seen: Events = []
    monkeypatch.setattr(emulator.state, "emit", lambda kind, data: seen.append((kind, data)))
    return seen


def uid(prefix: str = "d") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def fails(call: Callable[[Any], Any], request: Any) -> errors.APIError:
    with pytest.raises(grpc.RpcError) as info:
        call(request)
    mapped = from_rpc_error(info.value)
    assert isinstance(mapped, errors.APIError)
    return mapped


def violated(err: errors.APIError) -> set[str]:
    return {v.field for v in err.field_violations}


def create(stub: Stub, org_id: str, enabled: bool = False) -> pb.Directory:
    spec = pb.CreateDirectory(directory_type=pb.SCIM, directory_provider=pb.OKTA)
    directory = stub.CreateDirectory(
        pb.CreateDirectoryRequest(organization_id=org_id, directory=spec)
    ).directory
    if not enabled:  # created enabled (a provider and a type); most tests start from a disabled one
        stub.DisableDirectory(pb.ToggleDirectoryRequest(organization_id=org_id, id=directory.id))
    return directory


def get(stub: Stub, org_id: str, dir_id: str) -> pb.Directory:
    return stub.GetDirectory(pb.GetDirectoryRequest(organization_id=org_id, id=dir_id)).directory


# ----- directories -----


def test_a_directory_without_a_provider_is_created_disabled(stub: Stub, org_id: str) -> None:
    spec = pb.CreateDirectory(directory_type=pb.SCIM)
    bare = stub.CreateDirectory(pb.CreateDirectoryRequest(organization_id=org_id, directory=spec))
    assert bare.directory.enabled is False, "no provider: not enabled"
    stub.DeleteDirectory(pb.DeleteDirectoryRequest(organization_id=org_id, id=bare.directory.id))


def test_create_get_list(stub: Stub, org_id: str, emulator: Emulator, emitted: Events) -> None:
    d = create(stub, org_id, enabled=True)
    assert d.id.startswith("dir_")
    assert (d.organization_id, d.enabled, d.directory_type, d.directory_provider) == (
        org_id,
        True,  # created for a provider and a type: enabled, as the real service does
        pb.SCIM,
        pb.OKTA,
    )
    assert d.directory_endpoint == f"{emulator.env_url}/api/v1/directorysync/{d.id}/scim/v2"
    assert d.name == "Okta SCIM"
    assert ("directory.created", {"directory_id": d.id, "organization_id": org_id}) in emitted
    assert get(stub, org_id, d.id) == d
    second = create(stub, org_id)
    listed = stub.ListDirectories(pb.ListDirectoriesRequest(organization_id=org_id)).directories
    assert [x.id for x in listed] == [d.id, second.id]


def test_create_and_get_errors(stub: Stub, org_id: str) -> None:
    no_type = pb.CreateDirectoryRequest(organization_id=org_id, directory=pb.CreateDirectory())
    assert violated(fails(stub.CreateDirectory, no_type)) == {"directory.directory_type"}
    undefined = pb.CreateDirectoryRequest(
        organization_id=org_id,
        directory=pb.CreateDirectory(directory_type=pb.SCIM, directory_provider=42),  # type: ignore[arg-type]
    )
    assert violated(fails(stub.CreateDirectory, undefined)) == {"directory.directory_provider"}
    missing_org = pb.CreateDirectoryRequest(
        organization_id="org_404", directory=pb.CreateDirectory(directory_type=pb.SCIM)
    )
    assert fails(stub.CreateDirectory, missing_org).grpc_code == "NOT_FOUND"
    d = create(stub, org_id)
    other = create(stub, org_id)
    stub.DeleteDirectory(pb.DeleteDirectoryRequest(organization_id=org_id, id=other.id))
    assert fails(
        stub.GetDirectory, pb.GetDirectoryRequest(organization_id=org_id, id=other.id)
    ).grpc_code == ("NOT_FOUND")
    wrong_org = fails(stub.GetDirectory, pb.GetDirectoryRequest(organization_id="org_404", id=d.id))
    assert wrong_org.grpc_code == "NOT_FOUND"
    assert violated(fails(stub.ListDirectories, pb.ListDirectoriesRequest(organization_id="acme"))) == {
        "organization_id"
    }


def test_update_directory(stub: Stub, org_id: str, emulator: Emulator, emitted: Events) -> None:
    d = create(stub, org_id)
    spec = pb.UpdateDirectory(
        name="Corporate Okta",
        status=pb.IN_PROGRESS,
        enabled=True,
        mappings=[pb.DirectoryMapping(key="email", map_to="emails[0].value")],
        groups=[pb.ExternalGroup(external_id="grp-eng", display_name="Engineering", email="eng@example.com")],
    )
    out = stub.UpdateDirectory(
        pb.UpdateDirectoryRequest(organization_id=org_id, id=d.id, directory=spec)
    ).directory
    assert (out.name, out.status, out.enabled, out.directory_provider) == (
        "Corporate Okta",
        "IN_PROGRESS",
        True,
        pb.OKTA,
    )
    assert [(a.key, a.map_to) for a in out.attribute_mappings.attributes] == [("email", "emails[0].value")]
    assert out.groups_tracked == "SELECTED"
    assert ("directory.enabled", {"directory_id": d.id, "organization_id": org_id}) in emitted
    assert get(stub, org_id, d.id) == out
    # the selection filters the listed groups
    add_directory_group(emulator.state, d.id, "Engineering", external_id="grp-eng")
    add_directory_group(emulator.state, d.id, "Sales", external_id="grp-sales")
    groups = stub.ListDirectoryGroups(
        pb.ListDirectoryGroupsRequest(organization_id=org_id, directory_id=d.id)
    )
    assert [g.display_name for g in groups.groups] == ["Engineering"]
    bad = pb.UpdateDirectoryRequest(
        organization_id=org_id, id=d.id, directory=pb.UpdateDirectory(name="x" * 300)
    )
    assert violated(fails(stub.UpdateDirectory, bad)) == {"directory.name"}
    missing = pb.UpdateDirectoryRequest(
        organization_id=org_id, id="dir_404", directory=pb.UpdateDirectory(name="x")
    )
    assert fails(stub.UpdateDirectory, missing).grpc_code == "NOT_FOUND"
    assert violated(
        fails(stub.UpdateDirectory, pb.UpdateDirectoryRequest(organization_id=org_id, id=d.id))
    ) == {"directory"}


def test_enable_disable_and_sync(stub: Stub, org_id: str, emitted: Events) -> None:
    d = create(stub, org_id)
    sync = pb.TriggerDirectorySyncRequest(organization_id=org_id, directory_id=d.id)
    disabled = fails(stub.TriggerDirectorySync, sync)
    assert (disabled.grpc_code, disabled.error_code) == ("FAILED_PRECONDITION", "DIRECTORY_DISABLED")
    toggle = pb.ToggleDirectoryRequest(organization_id=org_id, id=d.id)
    assert stub.EnableDirectory(toggle).enabled
    assert get(stub, org_id, d.id).enabled
    assert ("directory.enabled", {"directory_id": d.id, "organization_id": org_id}) in emitted
    stub.TriggerDirectorySync(sync)
    synced = get(stub, org_id, d.id)
    assert synced.last_synced_at.seconds > 0
    assert synced.status == "COMPLETED"
    assert not stub.DisableDirectory(toggle).enabled
    assert not get(stub, org_id, d.id).enabled
    assert ("directory.disabled", {"directory_id": d.id, "organization_id": org_id}) in emitted
    assert fails(stub.TriggerDirectorySync, sync).grpc_code == "FAILED_PRECONDITION"
    missing = pb.ToggleDirectoryRequest(organization_id=org_id, id="dir_404")
    assert fails(stub.EnableDirectory, missing).grpc_code == "NOT_FOUND"
    assert fails(stub.DisableDirectory, missing).grpc_code == "NOT_FOUND"
    no_org = fails(stub.TriggerDirectorySync, pb.TriggerDirectorySyncRequest(directory_id=d.id))
    assert violated(no_org) == {"organization_id"}


def test_delete_removes_users_and_groups(
    stub: Stub, org_id: str, emulator: Emulator, emitted: Events
) -> None:
    d = create(stub, org_id, enabled=True)
    group = add_directory_group(emulator.state, d.id, "Ops")
    user = add_directory_user(emulator.state, d.id, f"{uid()}@example.com", groups=[group.id])
    stub.DeleteDirectory(pb.DeleteDirectoryRequest(organization_id=org_id, id=d.id))
    assert ("directory.deleted", {"directory_id": d.id, "organization_id": org_id}) in emitted
    with emulator.state.store.transaction() as tx:
        assert tx.get("directory_user", user.id, pb.DirectoryUser) is None
        assert tx.get("directory_group", group.id, pb.DirectoryGroup) is None
    again = fails(stub.DeleteDirectory, pb.DeleteDirectoryRequest(organization_id=org_id, id=d.id))
    assert again.grpc_code == "NOT_FOUND"


# ----- secrets -----


def test_secrets_create_and_regenerate(stub: Stub, org_id: str, emulator: Emulator) -> None:
    d = create(stub, org_id)
    req = pb.CreateDirectorySecretRequest(organization_id=org_id, directory_id=d.id)
    created = stub.CreateDirectorySecret(req)
    plain = created.plain_secret
    assert len(plain) >= 32
    assert created.secret.id.startswith("sec_")
    assert (created.secret.secret_suffix, created.secret.status) == (plain[-4:], pb.ACTIVE)
    shown = get(stub, org_id, d.id)
    assert [s.id for s in shown.secrets] == [created.secret.id]
    assert plain not in shown.SerializeToString().decode("utf-8", "replace")
    assert verify_directory_secret(emulator.state, d.id, plain)
    assert not verify_directory_secret(emulator.state, d.id, plain + "x")
    twice = fails(stub.CreateDirectorySecret, req)
    assert (twice.grpc_code, twice.error_code) == ("FAILED_PRECONDITION", "DIRECTORY_SECRET_EXISTS")
    regen = stub.RegenerateDirectorySecret(
        pb.RegenerateDirectorySecretRequest(organization_id=org_id, directory_id=d.id)
    )
    assert regen.plain_secret != plain
    assert not verify_directory_secret(emulator.state, d.id, plain)
    assert verify_directory_secret(emulator.state, d.id, regen.plain_secret)
    statuses = {s.id: s.status for s in get(stub, org_id, d.id).secrets}
    assert statuses == {created.secret.id: pb.INACTIVE, regen.secret.id: pb.ACTIVE}


def test_secret_errors(stub: Stub, org_id: str) -> None:
    d = create(stub, org_id)
    none_yet = pb.RegenerateDirectorySecretRequest(organization_id=org_id, directory_id=d.id)
    assert fails(stub.RegenerateDirectorySecret, none_yet).grpc_code == "NOT_FOUND"
    missing = pb.CreateDirectorySecretRequest(organization_id=org_id, directory_id="dir_404")
    assert fails(stub.CreateDirectorySecret, missing).grpc_code == "NOT_FOUND"
    bad = pb.CreateDirectorySecretRequest(organization_id=org_id, directory_id="directory_1")
    assert violated(fails(stub.CreateDirectorySecret, bad)) == {"directory_id"}


# ----- users and groups pushed by the IdP -----


def test_list_directory_users_pages_and_filters(stub: Stub, org_id: str, emulator: Emulator) -> None:
    d = create(stub, org_id, enabled=True)
    eng = add_directory_group(emulator.state, d.id, "Engineering")
    users = [
        add_directory_user(
            emulator.state,
            d.id,
            f"user{i}-{uid()}@example.com",
            given_name=f"U{i}",
            groups=[eng.id] if i % 2 else [],
        )
        for i in range(5)
    ]
    base = pb.ListDirectoryUsersRequest(organization_id=org_id, directory_id=d.id, page_size=2)
    seen: list[str] = []
    page = stub.ListDirectoryUsers(base)
    while True:
        assert len(page.users) <= 2
        assert page.total_size == 5
        seen += [u.id for u in page.users]
        if not page.next_page_token:
            break
        nxt = pb.ListDirectoryUsersRequest()
        nxt.CopyFrom(base)
        nxt.page_token = page.next_page_token
        page = stub.ListDirectoryUsers(nxt)
    assert seen == [u.id for u in users]
    first = stub.ListDirectoryUsers(base).users[0]
    assert not first.HasField("user_detail")
    detailed = pb.ListDirectoryUsersRequest(organization_id=org_id, directory_id=d.id, include_detail=True)
    assert stub.ListDirectoryUsers(detailed).users[0].user_detail.fields["given_name"].string_value == "U0"
    in_group = pb.ListDirectoryUsersRequest(
        organization_id=org_id, directory_id=d.id, directory_group_id=eng.id
    )
    members = stub.ListDirectoryUsers(in_group).users
    assert [u.id for u in members] == [users[1].id, users[3].id]
    assert [g.display_name for g in members[0].groups] == ["Engineering"]
    cutoff = Timestamp()
    cutoff.CopyFrom(users[2].updated_at)
    recent = pb.ListDirectoryUsersRequest(organization_id=org_id, directory_id=d.id, updated_after=cutoff)
    assert [u.id for u in stub.ListDirectoryUsers(recent).users] == [users[3].id, users[4].id]
    unknown = pb.ListDirectoryUsersRequest(
        organization_id=org_id, directory_id=d.id, directory_group_id="dirgroup_404"
    )
    assert fails(stub.ListDirectoryUsers, unknown).grpc_code == "NOT_FOUND"
    too_big = pb.ListDirectoryUsersRequest(organization_id=org_id, directory_id=d.id, page_size=31)
    assert violated(fails(stub.ListDirectoryUsers, too_big)) == {"page_size"}
    directory = get(stub, org_id, d.id)
    assert (directory.total_users, directory.total_groups, directory.stats.total_users) == (5, 1, 5)


def test_idp_helpers_upsert_and_remove(stub: Stub, org_id: str, emulator: Emulator, emitted: Events) -> None:
    d = create(stub, org_id)
    with pytest.raises(ValueError, match="disabled"):
        add_directory_user(emulator.state, d.id, "x@example.com")
    with pytest.raises(KeyError):
        add_directory_group(emulator.state, "dir_404", "x")
    stub.EnableDirectory(pb.ToggleDirectoryRequest(organization_id=org_id, id=d.id))
    email = f"{uid()}@example.com"
    first = add_directory_user(emulator.state, d.id, email, given_name="Ann")
    again = add_directory_user(emulator.state, d.id, email.upper(), family_name="Lee")
    assert again.id == first.id
    assert (again.given_name, again.family_name) == ("Ann", "Lee")
    assert (
        "directory.user_created",
        {"directory_id": d.id, "organization_id": org_id, "user_id": first.id},
    ) in emitted
    assert (
        "directory.user_updated",
        {"directory_id": d.id, "organization_id": org_id, "user_id": first.id},
    ) in emitted
    group = add_directory_group(emulator.state, d.id, "Team", external_id="ext-team")
    renamed = add_directory_group(emulator.state, d.id, "Team renamed", external_id="ext-team")
    assert renamed.id == group.id
    with pytest.raises(KeyError):
        add_directory_user(emulator.state, d.id, email, groups=["dirgroup_404"])
    add_directory_user(emulator.state, d.id, email, groups=[group.id])
    assert remove_directory_group(emulator.state, d.id, group.id)
    req = pb.ListDirectoryUsersRequest(organization_id=org_id, directory_id=d.id)
    assert list(stub.ListDirectoryUsers(req).users[0].groups) == []
    assert remove_directory_user(emulator.state, d.id, first.id)
    assert not remove_directory_user(emulator.state, d.id, first.id)
    assert stub.ListDirectoryUsers(req).total_size == 0


def test_list_groups_selection_and_summary(stub: Stub, org_id: str, emulator: Emulator) -> None:
    d = create(stub, org_id, enabled=True)
    eng = add_directory_group(
        emulator.state, d.id, "Engineering", external_id="g-eng", detail={"source": "okta"}
    )
    sales = add_directory_group(emulator.state, d.id, "Sales", external_id="g-sales")
    for _ in range(2):
        add_directory_user(emulator.state, d.id, f"{uid()}@example.com", groups=[eng.id])
    req = pb.ListDirectoryGroupsRequest(organization_id=org_id, directory_id=d.id, include_detail=True)
    listed = stub.ListDirectoryGroups(req)
    assert [(g.display_name, g.total_users) for g in listed.groups] == [("Engineering", 2), ("Sales", 0)]
    assert listed.groups[0].group_detail.fields["source"].string_value == "okta"
    paged = stub.ListDirectoryGroups(
        pb.ListDirectoryGroupsRequest(organization_id=org_id, directory_id=d.id, page_size=1)
    )
    assert ([g.id for g in paged.groups], paged.total_size) == ([eng.id], 2)
    assert not paged.groups[0].HasField("group_detail")
    assign = pb.AssignGroupsForDirectoryRequest(organization_id=org_id, id=d.id, external_ids=["g-sales"])
    stub.AssignGroupsForDirectory(assign)
    assert get(stub, org_id, d.id).groups_tracked == "SELECTED"
    tracked = stub.ListDirectoryGroups(
        pb.ListDirectoryGroupsRequest(organization_id=org_id, directory_id=d.id)
    )
    assert [g.id for g in tracked.groups] == [sales.id]
    external = pb.ListDirectoryGroupsRequest(
        organization_id=org_id, directory_id=d.id, include_external_groups=True
    )
    assert [g.id for g in stub.ListDirectoryGroups(external).groups] == [eng.id, sales.id]
    summary = stub.ListDirectoryGroupsSummary(
        pb.ListDirectoryGroupsSummaryRequest(organization_id=org_id, directory_id=d.id)
    )
    assert [(g.id, g.display_name, g.total_users) for g in summary.groups] == [(sales.id, "Sales", 0)]
    assert summary.total_size == 1
    empty = pb.AssignGroupsForDirectoryRequest(organization_id=org_id, id=d.id)
    assert violated(fails(stub.AssignGroupsForDirectory, empty)) == {"external_ids"}
    missing = pb.AssignGroupsForDirectoryRequest(organization_id=org_id, id="dir_404", external_ids=["x"])
    assert fails(stub.AssignGroupsForDirectory, missing).grpc_code == "NOT_FOUND"
    missing_summary = pb.ListDirectoryGroupsSummaryRequest(organization_id=org_id, directory_id="dir_404")
    assert fails(stub.ListDirectoryGroupsSummary, missing_summary).grpc_code == "NOT_FOUND"


# ----- roles and attributes -----


def test_assign_roles(stub: Stub, org_id: str, emulator: Emulator) -> None:
    d = create(stub, org_id, enabled=True)
    group = add_directory_group(emulator.state, d.id, "Admins")
    org_role = roles_pb2.Role(id=new_id("role"), name=uid("admin_"), display_name="Admin")
    env_role = roles_pb2.Role(id=new_id("role"), name=uid("viewer_"), display_name="Viewer")
    with emulator.state.store.transaction() as tx:
        tx.insert(
            "role", org_role.id, org_role, parent=org_id, unique={"scope_name": f"{org_id}:{org_role.name}"}
        )
        tx.insert("role", env_role.id, env_role, unique={"scope_name": f":{env_role.name}"})
    assignments = pb.RoleAssignments(
        assignments=[
            pb.RoleAssignment(group_id=group.id, role_name=org_role.name),
            pb.RoleAssignment(group_id=group.id, role_name=env_role.name),
        ]
    )
    out = stub.AssignRoles(
        pb.AssignRolesRequest(organization_id=org_id, id=d.id, role_assignments=assignments)
    )
    assert [(a.role_name, a.role_id) for a in out.role_assignments.assignments] == [
        (org_role.name, org_role.id),
        (env_role.name, env_role.id),
    ]
    assert get(stub, org_id, d.id).role_assignments == out.role_assignments

    def assign(group_id: str, role_name: str) -> pb.AssignRolesRequest:
        one = pb.RoleAssignments(assignments=[pb.RoleAssignment(group_id=group_id, role_name=role_name)])
        return pb.AssignRolesRequest(organization_id=org_id, id=d.id, role_assignments=one)

    no_role = fails(stub.AssignRoles, assign(group.id, "no_such_role"))
    assert no_role.grpc_code == "NOT_FOUND"
    assert fails(stub.AssignRoles, assign("dirgroup_404", org_role.name)).grpc_code == "NOT_FOUND"
    bad_name = fails(stub.AssignRoles, assign(group.id, "not a name"))
    assert violated(bad_name) == {"role_assignments.assignments[0].role_name"}
    assert get(stub, org_id, d.id).role_assignments == out.role_assignments  # failed calls changed nothing


def test_update_attributes(stub: Stub, org_id: str) -> None:
    d = create(stub, org_id)
    mapping = pb.AttributeMappings(
        attributes=[
            pb.AttributeMapping(key="email", map_to="mail"),
            pb.AttributeMapping(key="name", map_to="cn"),
        ]
    )
    out = stub.UpdateAttributes(
        pb.UpdateAttributesRequest(organization_id=org_id, id=d.id, attribute_mapping=mapping)
    )
    assert out.attribute_mappings == mapping
    assert get(stub, org_id, d.id).attribute_mappings == mapping
    dup = pb.AttributeMappings(
        attributes=[
            pb.AttributeMapping(key="email", map_to="a"),
            pb.AttributeMapping(key="email", map_to="b"),
        ]
    )
    bad = pb.UpdateAttributesRequest(organization_id=org_id, id=d.id, attribute_mapping=dup)
    assert violated(fails(stub.UpdateAttributes, bad)) == {"attribute_mapping.attributes[1].key"}
    incomplete = pb.AttributeMappings(attributes=[pb.AttributeMapping(key="email")])
    req = pb.UpdateAttributesRequest(organization_id=org_id, id=d.id, attribute_mapping=incomplete)
    assert violated(fails(stub.UpdateAttributes, req)) == {"attribute_mapping.attributes[0].map_to"}
    missing = pb.UpdateAttributesRequest(organization_id=org_id, id="dir_404", attribute_mapping=mapping)
    assert fails(stub.UpdateAttributes, missing).grpc_code == "NOT_FOUND"
