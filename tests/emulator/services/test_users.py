"""UserService through the generated gRPC stubs: users, memberships, invitations, role assignments.

Organizations, roles and permissions are written straight into the emulator's store (following the
storage conventions in ``state.KINDS``), so these tests depend only on the user handlers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

import grpc
import pytest

from scalekit_api.v1.commons import commons_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.roles import roles_pb2
from scalekit_api.v1.sessions import sessions_pb2, sessions_pb2_grpc
from scalekit_api.v1.users import users_pb2 as pb
from scalekit_api.v1.users import users_pb2_grpc
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error
from scalekit_py.emulator.services import _rbac
from scalekit_py.emulator.services.sessions import create_session
from scalekit_py.emulator.store import new_id

Stub = users_pb2_grpc.UserServiceStub


@pytest.fixture
def stub(grpc_channel: grpc.Channel) -> Stub:
    return users_pb2_grpc.UserServiceStub(grpc_channel)


def uid(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def fails(call: Callable[[Any], Any], request: Any) -> errors.APIError:
    """The SDK error a failing call maps to (the test fails if the call succeeds)."""
    with pytest.raises(grpc.RpcError) as info:
        call(request)
    mapped = from_rpc_error(info.value)
    assert isinstance(mapped, errors.APIError)
    return mapped


def violated(err: errors.APIError) -> set[str]:
    return {v.field for v in err.field_violations}


def make_org(emulator: Any, name: str = "Acme") -> str:
    org_id = new_id("org")
    with emulator.state.store.transaction() as tx:
        tx.insert("organization", org_id, organizations_pb2.Organization(id=org_id, display_name=name))
    return org_id


def make_perm(emulator: Any) -> str:
    name = f"{uid('p')}:read"
    with emulator.state.store.transaction() as tx:
        perm = roles_pb2.Permission(id=new_id("perm"), name=name, description=f"can {name}")
        tx.insert("permission", perm.id, perm, unique={"name": name})
    return name


def make_role(
    emulator: Any, org_id: str = "", perms: Iterable[str] = (), extends: str | None = None, name: str = ""
) -> str:
    role = roles_pb2.Role(id=new_id("role"), name=name or uid("r"), display_name="Role")
    role.permissions.extend(roles_pb2.RolePermission(name=p, role_name=role.name) for p in perms)
    if extends is not None:
        role.extends = extends
    with emulator.state.store.transaction() as tx:
        tx.insert("role", role.id, role, parent=org_id, unique={"scope_name": f"{org_id}:{role.name}"})
    return role.name


def create(stub: Stub, org_id: str, email: str = "", **kwargs: Any) -> pb.User:
    spec = pb.CreateUser(email=email or f"{uid()}@Example.com", **kwargs)
    return stub.CreateUserAndMembership(
        pb.CreateUserAndMembershipRequest(organization_id=org_id, user=spec)
    ).user


def roles_of(user: pb.User, org_id: str) -> list[str]:
    return [r.name for m in user.memberships if m.organization_id == org_id for r in m.roles]


# ----- create, get -----


def test_create_user_and_membership_then_get(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator, "Acme Corp")
    ext = uid("ext")
    profile = pb.CreateUserProfile(given_name="Ada", family_name="Lovelace")
    user = create(
        stub, org_id, "Ada.L@Example.com", external_id=ext, user_profile=profile, metadata={"tier": "a"}
    )
    assert user.id.startswith("usr_")
    assert user.email == "ada.l@example.com"
    assert user.user_profile.name == "Ada Lovelace"
    assert user.create_time.seconds > 0
    [m] = user.memberships
    assert (m.organization_id, m.membership_status, m.name) == (org_id, commons_pb2.ACTIVE, "Acme Corp")
    assert stub.GetUser(pb.GetUserRequest(id=user.id)).user == user
    assert stub.GetUser(pb.GetUserRequest(external_id=ext)).user.id == user.id

    other_org = make_org(emulator)
    again = create(stub, other_org, "ADA.L@example.com")
    assert again.id == user.id
    assert {m.organization_id for m in again.memberships} == {org_id, other_org}

    dup = fails(
        stub.CreateUserAndMembership,
        pb.CreateUserAndMembershipRequest(organization_id=org_id, user=pb.CreateUser(email=user.email)),
    )
    assert dup.grpc_code == "ALREADY_EXISTS"
    taken = fails(
        stub.CreateUserAndMembership,
        pb.CreateUserAndMembershipRequest(
            organization_id=org_id, user=pb.CreateUser(email=f"{uid()}@example.com", external_id=ext)
        ),
    )
    assert taken.grpc_code == "ALREADY_EXISTS"


def test_create_user_and_membership_errors(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    req = pb.CreateUserAndMembershipRequest
    missing_org = fails(
        stub.CreateUserAndMembership,
        req(organization_id=new_id("org"), user=pb.CreateUser(email=f"{uid()}@example.com")),
    )
    assert missing_org.grpc_code == "NOT_FOUND"
    assert violated(fails(stub.CreateUserAndMembership, req(organization_id=org_id))) == {"user"}
    bad_email = fails(
        stub.CreateUserAndMembership, req(organization_id=org_id, user=pb.CreateUser(email="nope"))
    )
    assert bad_email.grpc_code == "INVALID_ARGUMENT"
    assert violated(bad_email) == {"user.email"}
    no_email = fails(
        stub.CreateUserAndMembership, req(organization_id=org_id, user=pb.CreateUser(external_id=uid()))
    )
    assert violated(no_email) == {"user.email"}
    email = f"{uid()}@example.com"
    unknown_role = pb.CreateMembership(roles=[commons_pb2.Role(name=uid("missing"))])
    err = fails(
        stub.CreateUserAndMembership,
        req(organization_id=org_id, user=pb.CreateUser(email=email, membership=unknown_role)),
    )
    assert err.grpc_code == "NOT_FOUND"
    assert fails(stub.GetUser, pb.GetUserRequest(external_id=email)).grpc_code == "NOT_FOUND"  # rolled back


def test_new_members_get_the_default_member_role(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    role = make_role(emulator, org_id)
    with emulator.state.store.transaction() as tx:
        _rbac.set_org_default_member(tx, org_id, role)
    assert roles_of(create(stub, org_id), org_id) == [role]
    explicit = make_role(emulator)
    spec = pb.CreateMembership(roles=[commons_pb2.Role(name=explicit)])
    assert roles_of(create(stub, org_id, membership=spec), org_id) == [explicit]


def test_get_user_errors(stub: Stub) -> None:
    assert fails(stub.GetUser, pb.GetUserRequest(id=new_id("usr"))).grpc_code == "NOT_FOUND"
    assert fails(stub.GetUser, pb.GetUserRequest(external_id=uid())).grpc_code == "NOT_FOUND"
    assert fails(stub.GetUser, pb.GetUserRequest()).grpc_code == "INVALID_ARGUMENT"
    assert violated(fails(stub.GetUser, pb.GetUserRequest(id="org_123"))) == {"id"}


# ----- invitations -----


def test_invitation_and_resend(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    email = f"{uid()}@example.com"
    spec = pb.CreateUser(email=email, membership=pb.CreateMembership(inviter_email="boss@example.com"))
    user = stub.CreateUserAndMembership(
        pb.CreateUserAndMembershipRequest(organization_id=org_id, user=spec, send_invitation_email=True)
    ).user
    [m] = user.memberships
    assert m.membership_status == commons_pb2.PENDING_INVITE
    assert m.expires_at.seconds > m.created_at.seconds
    [mail] = emulator.mail_to(email)
    assert (mail.kind, mail.extra["organization_id"], mail.extra["user_id"]) == (
        "invitation",
        org_id,
        user.id,
    )

    invite = stub.ResendInvite(pb.ResendInviteRequest(organization_id=org_id, id=user.id)).invite
    assert (invite.user_id, invite.organization_id, invite.resent_count) == (user.id, org_id, 1)
    assert invite.inviter_email == "boss@example.com"
    assert (
        stub.ResendInvite(pb.ResendInviteRequest(organization_id=org_id, id=user.id)).invite.resent_count == 2
    )
    assert len(emulator.mail_to(email)) == 3

    active = create(stub, org_id)
    err = fails(stub.ResendInvite, pb.ResendInviteRequest(organization_id=org_id, id=active.id))
    assert (err.grpc_code, err.error_code) == ("FAILED_PRECONDITION", "INVITE_NOT_PENDING")
    other = make_org(emulator)
    assert (
        fails(stub.ResendInvite, pb.ResendInviteRequest(organization_id=other, id=user.id)).grpc_code
        == "NOT_FOUND"
    )


def test_create_membership_with_invitation(stub: Stub, emulator: Any) -> None:
    org_id, second = make_org(emulator), make_org(emulator)
    user = create(stub, org_id)
    invited = stub.CreateMembership(
        pb.CreateMembershipRequest(
            organization_id=second, id=user.id, membership=pb.CreateMembership(), send_invitation_email=True
        )
    ).user
    statuses = {m.organization_id: m.membership_status for m in invited.memberships}
    assert statuses == {org_id: commons_pb2.ACTIVE, second: commons_pb2.PENDING_INVITE}
    assert [m.kind for m in emulator.mail_to(user.email)] == ["invitation"]


# ----- listing and search -----


def test_list_users_pages_in_creation_order(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    mine = [create(stub, org_id).id for _ in range(3)]
    seen: list[str] = []
    token = ""
    while True:
        page = stub.ListUsers(pb.ListUsersRequest(page_size=2, page_token=token))
        assert len(page.users) <= 2
        assert page.total_size >= 3
        seen += [u.id for u in page.users]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == page.total_size
    assert [i for i in seen if i in mine] == mine
    bad = fails(stub.ListUsers, pb.ListUsersRequest(page_token="garbage"))
    assert violated(bad) == {"page_token"}


def test_list_and_search_organization_users(stub: Stub, emulator: Any) -> None:
    org_id, other = make_org(emulator), make_org(emulator)
    tag = uid("zq")
    members = [create(stub, org_id, f"{tag}{i}@example.com").id for i in range(3)]
    create(stub, other, f"{tag}x@example.com")
    first = stub.ListOrganizationUsers(pb.ListOrganizationUsersRequest(organization_id=org_id, page_size=2))
    assert (len(first.users), first.total_size) == (2, 3)
    second = stub.ListOrganizationUsers(
        pb.ListOrganizationUsersRequest(organization_id=org_id, page_size=2, page_token=first.next_page_token)
    )
    assert [u.id for u in [*first.users, *second.users]] == members
    assert second.next_page_token == ""
    assert second.prev_page_token != ""

    found = stub.SearchOrganizationUsers(pb.SearchOrganizationUsersRequest(organization_id=org_id, query=tag))
    assert [u.id for u in found.users] == members
    assert found.total_size == 3
    everywhere = stub.SearchUsers(pb.SearchUsersRequest(query=tag.upper()))
    assert everywhere.total_size == 4
    paged = stub.SearchUsers(pb.SearchUsersRequest(query=tag, page_size=3))
    assert len(paged.users) == 3
    assert paged.next_page_token

    unknown = new_id("org")
    assert (
        fails(stub.ListOrganizationUsers, pb.ListOrganizationUsersRequest(organization_id=unknown)).grpc_code
        == "NOT_FOUND"
    )
    assert (
        fails(
            stub.SearchOrganizationUsers,
            pb.SearchOrganizationUsersRequest(organization_id=unknown, query=tag),
        ).grpc_code
        == "NOT_FOUND"
    )
    assert violated(fails(stub.SearchUsers, pb.SearchUsersRequest(query="ab"))) == {"query"}
    assert violated(fails(stub.SearchUsers, pb.SearchUsersRequest(query=tag, page_size=31))) == {"page_size"}
    short = fails(stub.SearchOrganizationUsers, pb.SearchOrganizationUsersRequest(query=tag))
    assert violated(short) == {"organization_id"}


# ----- update, delete -----


def test_update_user_changes_only_sent_fields(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    profile = pb.CreateUserProfile(given_name="Grace", family_name="Hopper", locale="en-US")
    user = create(stub, org_id, user_profile=profile, metadata={"team": "navy"})
    change = pb.UpdateUser(user_profile=pb.UpdateUserProfile(given_name="Amazing Grace"))
    updated = stub.UpdateUser(pb.UpdateUserRequest(id=user.id, user=change)).user
    assert (updated.user_profile.given_name, updated.user_profile.family_name) == ("Amazing Grace", "Hopper")
    assert updated.user_profile.locale == "en-US"
    assert dict(updated.metadata) == {"team": "navy"}
    assert updated.update_time.ToNanoseconds() >= user.update_time.ToNanoseconds()

    ext = uid("ext")
    by_ext = stub.UpdateUser(pb.UpdateUserRequest(id=user.id, user=pb.UpdateUser(external_id=ext)))
    assert by_ext.user.external_id == ext
    renamed = stub.UpdateUser(
        pb.UpdateUserRequest(external_id=ext, user=pb.UpdateUser(metadata={"team": "ibm"}))
    )
    assert dict(renamed.user.metadata) == {"team": "ibm"}
    assert renamed.user.user_profile.given_name == "Amazing Grace"

    other = create(stub, org_id)
    clash = fails(stub.UpdateUser, pb.UpdateUserRequest(id=other.id, user=pb.UpdateUser(external_id=ext)))
    assert clash.grpc_code == "ALREADY_EXISTS"
    missing = fails(stub.UpdateUser, pb.UpdateUserRequest(id=new_id("usr"), user=pb.UpdateUser()))
    assert missing.grpc_code == "NOT_FOUND"
    assert violated(fails(stub.UpdateUser, pb.UpdateUserRequest(id=user.id))) == {"user"}


def test_delete_user_ends_sessions(stub: Stub, emulator: Any, grpc_channel: grpc.Channel) -> None:
    org_id = make_org(emulator)
    user = create(stub, org_id)
    session = create_session(emulator.state, user.id, org_id)
    sessions = sessions_pb2_grpc.SessionServiceStub(grpc_channel)
    stub.DeleteUser(pb.DeleteUserRequest(id=user.id))
    assert fails(stub.GetUser, pb.GetUserRequest(id=user.id)).grpc_code == "NOT_FOUND"
    gone = fails(sessions.GetSession, sessions_pb2.SessionDetailsRequest(session_id=session.session_id))
    assert gone.grpc_code == "NOT_FOUND"
    assert fails(stub.DeleteUser, pb.DeleteUserRequest(id=user.id)).grpc_code == "NOT_FOUND"
    ext = uid("ext")
    create(stub, org_id, external_id=ext)
    stub.DeleteUser(pb.DeleteUserRequest(external_id=ext))
    assert fails(stub.GetUser, pb.GetUserRequest(external_id=ext)).grpc_code == "NOT_FOUND"
    assert violated(fails(stub.DeleteUser, pb.DeleteUserRequest(id="usr_1"))) == {"id"}


# ----- memberships -----


def test_create_membership(stub: Stub, emulator: Any) -> None:
    org_id, second = make_org(emulator), make_org(emulator)
    role = make_role(emulator, second)
    user = create(stub, org_id)
    spec = pb.CreateMembership(roles=[commons_pb2.Role(name=role)], metadata={"desk": "42"})
    added = stub.CreateMembership(
        pb.CreateMembershipRequest(organization_id=second, id=user.id, membership=spec)
    )
    membership = next(m for m in added.user.memberships if m.organization_id == second)
    assert [r.name for r in membership.roles] == [role]
    assert membership.roles[0].id.startswith("role_")
    assert dict(membership.metadata) == {"desk": "42"}
    assert stub.GetUser(pb.GetUserRequest(id=user.id)).user == added.user

    req = pb.CreateMembershipRequest
    dup = fails(
        stub.CreateMembership, req(organization_id=second, id=user.id, membership=pb.CreateMembership())
    )
    assert dup.grpc_code == "ALREADY_EXISTS"
    no_org = fails(
        stub.CreateMembership,
        req(organization_id=new_id("org"), id=user.id, membership=pb.CreateMembership()),
    )
    assert no_org.grpc_code == "NOT_FOUND"
    no_user = fails(
        stub.CreateMembership, req(organization_id=second, id=new_id("usr"), membership=pb.CreateMembership())
    )
    assert no_user.grpc_code == "NOT_FOUND"
    assert "membership" in violated(fails(stub.CreateMembership, req(organization_id=second, id=user.id)))


def test_update_and_delete_membership(stub: Stub, emulator: Any) -> None:
    org_id, second = make_org(emulator), make_org(emulator)
    a, b = make_role(emulator), make_role(emulator)
    user = create(stub, org_id, membership=pb.CreateMembership(roles=[commons_pb2.Role(name=a)]))
    change = pb.UpdateMembership(roles=[commons_pb2.Role(name=b)], metadata={"floor": "3"})
    updated = stub.UpdateMembership(
        pb.UpdateMembershipRequest(organization_id=org_id, id=user.id, membership=change)
    )
    assert roles_of(updated.user, org_id) == [b]
    meta_only = pb.UpdateMembership(metadata={"floor": "4"})
    again = stub.UpdateMembership(
        pb.UpdateMembershipRequest(organization_id=org_id, id=user.id, membership=meta_only)
    )
    assert roles_of(again.user, org_id) == [b]
    assert dict(again.user.memberships[0].metadata) == {"floor": "4"}
    req = pb.UpdateMembershipRequest
    assert (
        fails(stub.UpdateMembership, req(organization_id=second, id=user.id, membership=change)).grpc_code
        == "NOT_FOUND"
    )
    bad_role = pb.UpdateMembership(roles=[commons_pb2.Role(name=uid("none"))])
    assert (
        fails(stub.UpdateMembership, req(organization_id=org_id, id=user.id, membership=bad_role)).grpc_code
        == "NOT_FOUND"
    )

    stub.CreateMembership(
        pb.CreateMembershipRequest(organization_id=second, id=user.id, membership=pb.CreateMembership())
    )
    stub.DeleteMembership(pb.DeleteMembershipRequest(organization_id=org_id, id=user.id))
    left = stub.GetUser(pb.GetUserRequest(id=user.id)).user
    assert [m.organization_id for m in left.memberships] == [second]
    gone = fails(stub.DeleteMembership, pb.DeleteMembershipRequest(organization_id=org_id, id=user.id))
    assert gone.grpc_code == "NOT_FOUND"
    stub.DeleteMembership(pb.DeleteMembershipRequest(organization_id=second, id=user.id, cascade=True))
    assert fails(stub.GetUser, pb.GetUserRequest(id=user.id)).grpc_code == "NOT_FOUND"


def test_delete_last_membership_without_cascade_keeps_user(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    user = create(stub, org_id)
    stub.DeleteMembership(pb.DeleteMembershipRequest(organization_id=org_id, id=user.id))
    assert list(stub.GetUser(pb.GetUserRequest(id=user.id)).user.memberships) == []


# ----- roles and permissions -----


def test_assign_list_and_remove_roles(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    env_role, org_role = make_role(emulator), make_role(emulator, org_id)
    user = create(stub, org_id)
    ids = {"organization_id": org_id, "user_id": user.id}
    assigned = stub.AssignUserRoles(
        pb.AssignUserRolesRequest(
            **ids, roles=[pb.AssignRoleRequest(role_name=env_role), pb.AssignRoleRequest(role_name=org_role)]
        )
    )
    assert {env_role, org_role} <= {r.name for r in assigned.roles}
    listed = stub.ListUserRoles(pb.ListUserRolesRequest(**ids)).roles
    assert [r.name for r in listed] == [r.name for r in assigned.roles]
    stub.RemoveUserRole(pb.RemoveUserRoleRequest(**ids, role_name=env_role))
    assert env_role not in {r.name for r in stub.ListUserRoles(pb.ListUserRolesRequest(**ids)).roles}

    not_assigned = fails(stub.RemoveUserRole, pb.RemoveUserRoleRequest(**ids, role_name=env_role))
    assert not_assigned.grpc_code == "NOT_FOUND"
    unknown = fails(
        stub.AssignUserRoles,
        pb.AssignUserRolesRequest(**ids, roles=[pb.AssignRoleRequest(role_name=uid("none"))]),
    )
    assert unknown.grpc_code == "NOT_FOUND"
    other_org_role = make_role(emulator, make_org(emulator))
    foreign = fails(
        stub.AssignUserRoles,
        pb.AssignUserRolesRequest(**ids, roles=[pb.AssignRoleRequest(role_name=other_org_role)]),
    )
    assert foreign.grpc_code == "NOT_FOUND"
    empty = fails(stub.AssignUserRoles, pb.AssignUserRolesRequest(**ids, roles=[pb.AssignRoleRequest()]))
    assert violated(empty) == {"roles[0].role_name"}
    outsider = make_org(emulator)
    no_member = fails(stub.ListUserRoles, pb.ListUserRolesRequest(organization_id=outsider, user_id=user.id))
    assert no_member.grpc_code == "NOT_FOUND"
    assert violated(
        fails(stub.ListUserRoles, pb.ListUserRolesRequest(organization_id="x", user_id=user.id))
    ) == {"organization_id"}


def test_list_user_permissions_follows_inheritance(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    read, write, admin = make_perm(emulator), make_perm(emulator), make_perm(emulator)
    base = make_role(emulator, perms=[read])
    editor = make_role(emulator, perms=[write, read], extends=base)
    user = create(stub, org_id, membership=pb.CreateMembership(roles=[commons_pb2.Role(name=editor)]))
    ids = {"organization_id": org_id, "user_id": user.id}
    perms = stub.ListUserPermissions(pb.ListUserPermissionsRequest(**ids)).permissions
    assert [p.name for p in perms] == [write, read]
    assert perms[0].id.startswith("perm_")
    assert perms[0].description == f"can {write}"

    # An organization role of the same name shadows the environment role.
    make_role(emulator, org_id, perms=[admin], name=editor)
    shadowed = stub.ListUserPermissions(pb.ListUserPermissionsRequest(**ids)).permissions
    assert [p.name for p in shadowed] == [admin]
    missing = fails(
        stub.ListUserPermissions, pb.ListUserPermissionsRequest(organization_id=org_id, user_id=new_id("usr"))
    )
    assert missing.grpc_code == "NOT_FOUND"
