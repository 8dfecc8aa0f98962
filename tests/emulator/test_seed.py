"""The seeded environment, as the admin API sees it."""

from __future__ import annotations

import grpc

from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_api.v1.roles import roles_pb2, roles_pb2_grpc
from scalekit_api.v1.users import users_pb2, users_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.seed import ADMIN_EMAIL, MEMBER_EMAIL, seed


def test_seeded_organization_and_users(emulator: Emulator, grpc_channel: grpc.Channel) -> None:
    seeded = emulator.seeded
    assert seeded is not None
    org = organizations_pb2_grpc.OrganizationServiceStub(grpc_channel).GetOrganizationByExternalId(
        organizations_pb2.GetOrganizationRequest(external_id="acme")
    )
    assert org.organization.id == seeded.organization_id
    assert org.organization.display_name == "Acme Inc"
    users = users_pb2_grpc.UserServiceStub(grpc_channel)
    for user_id, email, role in (
        (seeded.admin_user_id, ADMIN_EMAIL, "admin"),
        (seeded.member_user_id, MEMBER_EMAIL, "member"),
    ):
        user = users.GetUser(users_pb2.GetUserRequest(id=user_id)).user
        assert user.email == email
        [membership] = user.memberships
        assert membership.organization_id == seeded.organization_id
        assert [r.name for r in membership.roles] == [role]


def test_seeded_roles_and_permissions(emulator: Emulator, grpc_channel: grpc.Channel) -> None:
    roles = roles_pb2_grpc.RolesServiceStub(grpc_channel)
    listed = {r.name: r for r in roles.ListRoles(roles_pb2.ListRolesRequest()).roles}
    assert {"admin", "member"} <= set(listed)
    assert listed["member"].default_member
    assert listed["admin"].default_creator
    permissions = roles.ListPermissions(roles_pb2.ListPermissionsRequest(page_size=100)).permissions
    assert {p.name for p in permissions} >= {
        "organizations:read",
        "organizations:write",
        "users:read",
        "users:write",
    }
    effective = roles.ListEffectiveRolePermissions(
        roles_pb2.ListEffectiveRolePermissionsRequest(role_name="admin")
    )
    assert {p.name for p in effective.permissions} == {
        "organizations:read",
        "organizations:write",
        "users:read",
        "users:write",
    }


def test_seed_runs_once(emulator: Emulator) -> None:
    assert seed(emulator.state) == emulator.seeded
    with emulator.state.store.transaction() as tx:
        orgs = tx.all("organization", organizations_pb2.Organization)
    assert [o.external_id for o in orgs].count("acme") == 1


def test_no_seed() -> None:
    with Emulator(seed=False) as emu:
        assert emu.seeded is None
        with emu.state.store.transaction() as tx:
            assert tx.all("user", users_pb2.User) == []
