"""RolesService roles through the generated gRPC stubs: CRUD, inheritance, deletion rules, defaults, counts.

Organizations and users are written straight into the emulator's store (kinds "organization" and
"user"), so these tests depend only on the roles handlers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

import grpc
import pytest

from scalekit_api.v1.commons import commons_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.roles import roles_pb2 as pb
from scalekit_api.v1.roles import roles_pb2_grpc
from scalekit_api.v1.users import users_pb2
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error
from scalekit_py.emulator.services.roles import default_member_role, effective_permissions
from scalekit_py.emulator.store import new_id

Stub = roles_pb2_grpc.RolesServiceStub


@pytest.fixture
def stub(grpc_channel: grpc.Channel) -> Stub:
    return roles_pb2_grpc.RolesServiceStub(grpc_channel)


def uid(prefix: str = "r") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def fails(call: Callable[[Any], Any], request: Any) -> errors.APIError:
    """The SDK error a failing call maps to (the test fails if the call succeeds)."""
    with pytest.raises(grpc.RpcError) as info:
        call(request)
    mapped = from_rpc_error(info.value)
    assert isinstance(mapped, errors.APIError)
    return mapped


def violated(err: errors.APIError) -> set[str]:
    return {v.field for v in err.field_violations}


def make_org(emulator: Any) -> str:
    org_id = new_id("org")
    with emulator.state.store.transaction() as tx:
        tx.insert("organization", org_id, organizations_pb2.Organization(id=org_id, display_name=org_id))
    return org_id


def make_user(emulator: Any, memberships: dict[str, Iterable[str]]) -> str:
    user_id = new_id("usr")
    user = users_pb2.User(id=user_id, email=f"{uid('u')}@example.com")
    for org_id, names in memberships.items():
        user.memberships.add(organization_id=org_id, roles=[commons_pb2.Role(name=n) for n in names])
    with emulator.state.store.transaction() as tx:
        tx.insert("user", user_id, user, unique={"email": user.email})
    return user_id


def user_roles(emulator: Any, user_id: str, org_id: str) -> list[str]:
    with emulator.state.store.transaction() as tx:
        user = tx.get("user", user_id, users_pb2.User)
    assert user is not None
    return [r.name for m in user.memberships if m.organization_id == org_id for r in m.roles]


def make_perms(stub: Stub, n: int) -> list[str]:
    names = [uid("p").replace("_", ":") for _ in range(n)]
    for name in names:
        stub.CreatePermission(pb.CreatePermissionRequest(permission=pb.CreatePermission(name=name)))
    return names


def make_role(stub: Stub, perms: Iterable[str] = (), extends: str | None = None, name: str = "") -> pb.Role:
    spec = pb.CreateRole(name=name or uid(), display_name="Role", permissions=list(perms))
    if extends is not None:
        spec.extends = extends
    return stub.CreateRole(pb.CreateRoleRequest(role=spec)).role


def make_org_role(
    stub: Stub, org_id: str, name: str = "", perms: Iterable[str] = (), extends: str | None = None
) -> pb.Role:
    spec = pb.CreateOrganizationRole(name=name or uid(), display_name="Org role", permissions=list(perms))
    if extends is not None:
        spec.extends = extends
    return stub.CreateOrganizationRole(pb.CreateOrganizationRoleRequest(org_id=org_id, role=spec)).role


def get_role(stub: Stub, name: str, include: str = "") -> pb.Role:
    return stub.GetRole(pb.GetRoleRequest(role_name=name, include=include)).role


# ----- environment roles -----


def test_create_role_and_get_with_includes(stub: Stub) -> None:
    p1, p2, p3 = make_perms(stub, 3)
    base = make_role(stub, [p1])
    role = make_role(stub, [p2, p3, p2], extends=base.name)
    assert role.id.startswith("role_")
    assert not role.is_org_role
    assert [p.name for p in role.permissions] == [p2, p3]
    assert get_role(stub, role.name).permissions == []
    assert [p.name for p in get_role(stub, role.name, "permissions").permissions] == [p2, p3]
    everything = get_role(stub, role.name, "permissions:all").permissions
    assert [(p.name, p.role_name) for p in everything] == [
        (p2, role.name),
        (p3, role.name),
        (p1, base.name),
    ]
    assert everything[0].id.startswith("perm_")


def test_create_role_errors(stub: Stub) -> None:
    role = make_role(stub)
    dup = fails(stub.CreateRole, pb.CreateRoleRequest(role=pb.CreateRole(name=role.name, display_name="x")))
    assert (dup.grpc_code, dup.error_code) == ("ALREADY_EXISTS", "ROLE_KEYNAME_CONFLICT")
    bad = fails(stub.CreateRole, pb.CreateRoleRequest(role=pb.CreateRole(name="has space", display_name="x")))
    assert bad.grpc_code == "INVALID_ARGUMENT"
    assert "role.name" in violated(bad)
    missing = fails(stub.CreateRole, pb.CreateRoleRequest())
    assert "role" in violated(missing)
    spec = pb.CreateRole(name=uid(), display_name="x", permissions=["no:such:perm"])
    unknown_perm = fails(stub.CreateRole, pb.CreateRoleRequest(role=spec))
    assert violated(unknown_perm) == {"role.permissions[0]"}
    spec = pb.CreateRole(name=uid(), display_name="x", extends=uid())
    unknown_base = fails(stub.CreateRole, pb.CreateRoleRequest(role=spec))
    assert unknown_base.grpc_code == "INVALID_ARGUMENT"
    assert violated(unknown_base) == {"role.extends"}
    name = uid()
    spec = pb.CreateRole(name=name, display_name="x", extends=name)
    assert violated(fails(stub.CreateRole, pb.CreateRoleRequest(role=spec))) == {"role.extends"}
    assert fails(stub.GetRole, pb.GetRoleRequest(role_name=name)).grpc_code == "NOT_FOUND"


def test_get_role_errors(stub: Stub) -> None:
    assert fails(stub.GetRole, pb.GetRoleRequest(role_name=uid())).grpc_code == "NOT_FOUND"
    role = make_role(stub)
    bad = fails(stub.GetRole, pb.GetRoleRequest(role_name=role.name, include="everything"))
    assert violated(bad) == {"include"}


def test_update_role_changes_only_what_was_sent(stub: Stub) -> None:
    p1, p2 = make_perms(stub, 2)
    base = make_role(stub)
    spec = pb.CreateRole(name=uid(), display_name="Before", description="kept", permissions=[p1])
    role = stub.CreateRole(pb.CreateRoleRequest(role=spec)).role
    upd = stub.UpdateRole(
        pb.UpdateRoleRequest(role_name=role.name, role=pb.UpdateRole(display_name="After"))
    ).role
    assert (upd.display_name, upd.description, [p.name for p in upd.permissions]) == ("After", "kept", [p1])
    upd = stub.UpdateRole(
        pb.UpdateRoleRequest(role_name=role.name, role=pb.UpdateRole(permissions=[p2], extends=base.name))
    ).role
    assert [p.name for p in upd.permissions] == [p2]
    assert upd.extends == base.name
    stored = get_role(stub, role.name, "permissions")
    assert stored.display_name == "After"
    assert [p.name for p in stored.permissions] == [p2]
    missing = fails(
        stub.UpdateRole, pb.UpdateRoleRequest(role_name=uid(), role=pb.UpdateRole(display_name="x"))
    )
    assert missing.grpc_code == "NOT_FOUND"
    bad_base = fails(
        stub.UpdateRole, pb.UpdateRoleRequest(role_name=role.name, role=pb.UpdateRole(extends=uid()))
    )
    assert violated(bad_base) == {"role.extends"}


def test_update_role_rejects_inheritance_cycle_and_keeps_state(stub: Stub) -> None:
    a = make_role(stub)
    b = make_role(stub, extends=a.name)
    c = make_role(stub, extends=b.name)
    err = fails(stub.UpdateRole, pb.UpdateRoleRequest(role_name=a.name, role=pb.UpdateRole(extends=c.name)))
    assert (err.grpc_code, err.error_code) == ("FAILED_PRECONDITION", "ROLE_INHERITANCE_CYCLE")
    assert not get_role(stub, a.name).HasField("extends")


def test_list_roles_in_creation_order_with_include(stub: Stub) -> None:
    (perm,) = make_perms(stub, 1)
    first, second = make_role(stub, [perm]), make_role(stub)
    roles = stub.ListRoles(pb.ListRolesRequest(include="permissions")).roles
    names = [r.name for r in roles]
    assert names.index(first.name) < names.index(second.name)
    by_name = {r.name: r for r in roles}
    assert [p.name for p in by_name[first.name].permissions] == [perm]
    assert all(not r.is_org_role for r in roles)
    assert all(not r.permissions for r in stub.ListRoles(pb.ListRolesRequest()).roles)


def test_delete_role(stub: Stub) -> None:
    role = make_role(stub)
    stub.DeleteRole(pb.DeleteRoleRequest(role_name=role.name))
    assert fails(stub.GetRole, pb.GetRoleRequest(role_name=role.name)).grpc_code == "NOT_FOUND"
    assert fails(stub.DeleteRole, pb.DeleteRoleRequest(role_name=role.name)).grpc_code == "NOT_FOUND"
    bad = fails(stub.DeleteRole, pb.DeleteRoleRequest(role_name="x-y"))
    assert violated(bad) == {"role_name"}


def test_delete_role_in_use_needs_reassignment(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    old, new = make_role(stub), make_role(stub)
    dependent = make_role(stub, extends=old.name)
    user_id = make_user(emulator, {org_id: [old.name, "other"]})
    err = fails(stub.DeleteRole, pb.DeleteRoleRequest(role_name=old.name))
    assert (err.grpc_code, err.error_code) == ("FAILED_PRECONDITION", "ROLE_HAS_DEPENDENTS")
    stub.DeleteRoleBase(pb.DeleteRoleBaseRequest(role_name=dependent.name))
    err = fails(stub.DeleteRole, pb.DeleteRoleRequest(role_name=old.name))
    assert (err.grpc_code, err.error_code) == ("FAILED_PRECONDITION", "ROLE_IN_USE")
    assert "role cannot be deleted as it is assigned to users" in str(err)
    unknown = fails(stub.DeleteRole, pb.DeleteRoleRequest(role_name=old.name, reassign_role_name=uid()))
    assert violated(unknown) == {"reassign_role_name"}
    stub.UpdateRole(pb.UpdateRoleRequest(role_name=dependent.name, role=pb.UpdateRole(extends=old.name)))
    stub.DeleteRole(pb.DeleteRoleRequest(role_name=old.name, reassign_role_name=new.name))
    assert user_roles(emulator, user_id, org_id) == [new.name, "other"]
    assert get_role(stub, dependent.name).extends == new.name
    assert stub.GetRoleUsersCount(pb.GetRoleUsersCountRequest(role_name=new.name)).count == 1


def test_delete_role_reassign_by_deprecated_id(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    old, new = make_role(stub), make_role(stub)
    user_id = make_user(emulator, {org_id: [old.name]})
    stub.DeleteRole(pb.DeleteRoleRequest(role_name=old.name, reassign_role_id=new.id))
    assert user_roles(emulator, user_id, org_id) == [new.name]


def test_delete_role_reassign_cannot_create_cycle(stub: Stub) -> None:
    old = make_role(stub)
    child = make_role(stub, extends=old.name)
    err = fails(stub.DeleteRole, pb.DeleteRoleRequest(role_name=old.name, reassign_role_name=child.name))
    assert err.error_code == "ROLE_INHERITANCE_CYCLE"
    assert get_role(stub, old.name).name == old.name


def test_dependents_and_count(stub: Stub, emulator: Any) -> None:
    base = make_role(stub)
    kids = [make_role(stub, extends=base.name) for _ in range(2)]
    make_role(stub, extends=kids[0].name)  # a grandchild is not a direct dependent
    org_id = make_org(emulator)
    org_kid = make_org_role(stub, org_id, extends=base.name)
    deps = stub.ListDependentRoles(pb.ListDependentRolesRequest(role_name=base.name)).roles
    assert [r.name for r in deps] == [kids[0].name, kids[1].name, org_kid.name]
    assert [r.is_org_role for r in deps] == [False, False, True]
    assert get_role(stub, base.name).dependent_roles_count == 3
    assert get_role(stub, kids[0].name).dependent_roles_count == 1
    missing = fails(stub.ListDependentRoles, pb.ListDependentRolesRequest(role_name=uid()))
    assert missing.grpc_code == "NOT_FOUND"


def test_delete_role_base(stub: Stub) -> None:
    p1, p2 = make_perms(stub, 2)
    base = make_role(stub, [p1])
    role = make_role(stub, [p2], extends=base.name)
    stub.DeleteRoleBase(pb.DeleteRoleBaseRequest(role_name=role.name))
    after = get_role(stub, role.name, "permissions:all")
    assert not after.HasField("extends")
    assert [p.name for p in after.permissions] == [p2]
    again = fails(stub.DeleteRoleBase, pb.DeleteRoleBaseRequest(role_name=role.name))
    assert (again.grpc_code, again.error_code) == ("FAILED_PRECONDITION", "ROLE_HAS_NO_BASE")
    missing = fails(stub.DeleteRoleBase, pb.DeleteRoleBaseRequest(role_name=uid()))
    assert missing.grpc_code == "NOT_FOUND"


# ----- organization roles -----


def test_create_organization_role(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    (perm,) = make_perms(stub, 1)
    env_role = make_role(stub)
    role = make_org_role(stub, org_id, perms=[perm], extends=env_role.name)
    assert role.is_org_role
    assert role.id.startswith("role_")
    assert role.extends == env_role.name
    assert [p.name for p in role.permissions] == [perm]
    shadow = make_org_role(stub, org_id, name=env_role.name)  # may reuse an environment role's name
    assert shadow.is_org_role
    make_org_role(stub, make_org(emulator), name=role.name)  # names are per organization
    spec = pb.CreateOrganizationRole(name=role.name, display_name="x")
    dup = fails(stub.CreateOrganizationRole, pb.CreateOrganizationRoleRequest(org_id=org_id, role=spec))
    assert dup.grpc_code == "ALREADY_EXISTS"
    spec = pb.CreateOrganizationRole(name=uid(), display_name="x")
    gone = fails(
        stub.CreateOrganizationRole, pb.CreateOrganizationRoleRequest(org_id=new_id("org"), role=spec)
    )
    assert gone.grpc_code == "NOT_FOUND"
    bad = fails(stub.CreateOrganizationRole, pb.CreateOrganizationRoleRequest(org_id="abc", role=spec))
    assert violated(bad) == {"org_id"}
    spec = pb.CreateOrganizationRole(name=uid(), display_name="x", extends=uid())
    no_base = fails(stub.CreateOrganizationRole, pb.CreateOrganizationRoleRequest(org_id=org_id, role=spec))
    assert violated(no_base) == {"role.extends"}


def test_shadowing_role_cannot_close_a_cycle(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    env_b = make_role(stub)
    a = make_org_role(stub, org_id, extends=env_b.name)  # resolves to the environment role for now
    spec = pb.CreateOrganizationRole(name=env_b.name, display_name="x", extends=a.name)
    err = fails(stub.CreateOrganizationRole, pb.CreateOrganizationRoleRequest(org_id=org_id, role=spec))
    assert err.error_code == "ROLE_INHERITANCE_CYCLE"


def test_get_and_list_organization_roles(stub: Stub, emulator: Any) -> None:
    org_id, other_org = make_org(emulator), make_org(emulator)
    p_env, p_org = make_perms(stub, 2)
    shadowed, visible = make_role(stub, [p_env]), make_role(stub)
    own = make_org_role(stub, org_id, name=shadowed.name, perms=[p_org], extends=shadowed.name)
    foreign = make_org_role(stub, other_org)
    got = stub.GetOrganizationRole(
        pb.GetOrganizationRoleRequest(org_id=org_id, role_name=shadowed.name, include="permissions:all")
    ).role
    assert got.id == own.id
    assert got.is_org_role
    assert [(p.name, p.role_name) for p in got.permissions] == [(p_org, own.name), (p_env, shadowed.name)]
    fallback = stub.GetOrganizationRole(
        pb.GetOrganizationRoleRequest(org_id=org_id, role_name=visible.name)
    ).role
    assert fallback.id == visible.id
    assert not fallback.is_org_role
    listed = stub.ListOrganizationRoles(pb.ListOrganizationRolesRequest(org_id=org_id)).roles
    ids = [r.id for r in listed]
    assert visible.id in ids
    assert own.id in ids
    assert shadowed.id not in ids
    assert foreign.id not in ids
    missing = pb.GetOrganizationRoleRequest(org_id=org_id, role_name=foreign.name)
    assert fails(stub.GetOrganizationRole, missing).grpc_code == "NOT_FOUND"
    no_org = pb.ListOrganizationRolesRequest(org_id=new_id("org"))
    assert fails(stub.ListOrganizationRoles, no_org).grpc_code == "NOT_FOUND"
    assert violated(fails(stub.ListOrganizationRoles, pb.ListOrganizationRolesRequest())) == {"org_id"}


def test_update_organization_role(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    env_role = make_role(stub)
    role = make_org_role(stub, org_id)
    upd = stub.UpdateOrganizationRole(
        pb.UpdateOrganizationRoleRequest(
            org_id=org_id, role_name=role.name, role=pb.UpdateRole(description="new", extends=env_role.name)
        )
    ).role
    assert (upd.description, upd.display_name, upd.extends) == ("new", "Org role", env_role.name)
    env_req = pb.UpdateOrganizationRoleRequest(
        org_id=org_id, role_name=env_role.name, role=pb.UpdateRole(description="x")
    )
    err = fails(stub.UpdateOrganizationRole, env_req)
    assert (err.grpc_code, err.error_code) == ("FAILED_PRECONDITION", "ENVIRONMENT_ROLE")
    missing = pb.UpdateOrganizationRoleRequest(
        org_id=org_id, role_name=uid(), role=pb.UpdateRole(description="x")
    )
    assert fails(stub.UpdateOrganizationRole, missing).grpc_code == "NOT_FOUND"
    empty = pb.UpdateOrganizationRoleRequest(
        org_id=org_id, role_name=role.name, role=pb.UpdateRole(display_name="")
    )
    assert violated(fails(stub.UpdateOrganizationRole, empty)) == {"role.display_name"}


def test_delete_organization_role(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    spare, held, target = (make_org_role(stub, org_id) for _ in range(3))
    stub.DeleteOrganizationRole(pb.DeleteOrganizationRoleRequest(org_id=org_id, role_name=spare.name))
    gone = pb.GetOrganizationRoleRequest(org_id=org_id, role_name=spare.name)
    assert fails(stub.GetOrganizationRole, gone).grpc_code == "NOT_FOUND"
    user_id = make_user(emulator, {org_id: [held.name]})
    req = pb.DeleteOrganizationRoleRequest(org_id=org_id, role_name=held.name)
    assert fails(stub.DeleteOrganizationRole, req).error_code == "ROLE_IN_USE"
    req.reassign_role_name = target.name
    stub.DeleteOrganizationRole(req)
    assert user_roles(emulator, user_id, org_id) == [target.name]
    again = pb.DeleteOrganizationRoleRequest(org_id=org_id, role_name=held.name)
    assert fails(stub.DeleteOrganizationRole, again).grpc_code == "NOT_FOUND"


def test_delete_organization_role_base(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    base = make_org_role(stub, org_id)
    role = make_org_role(stub, org_id, extends=base.name)
    stub.DeleteOrganizationRoleBase(pb.DeleteOrganizationRoleBaseRequest(org_id=org_id, role_name=role.name))
    got = stub.GetOrganizationRole(pb.GetOrganizationRoleRequest(org_id=org_id, role_name=role.name)).role
    assert not got.HasField("extends")
    again = pb.DeleteOrganizationRoleBaseRequest(org_id=org_id, role_name=role.name)
    assert fails(stub.DeleteOrganizationRoleBase, again).error_code == "ROLE_HAS_NO_BASE"
    missing = pb.DeleteOrganizationRoleBaseRequest(org_id=org_id, role_name=uid())
    assert fails(stub.DeleteOrganizationRoleBase, missing).grpc_code == "NOT_FOUND"


# ----- default roles -----


def test_update_default_roles_keeps_exactly_one_of_each(stub: Stub, emulator: Any) -> None:
    creator, member = make_role(stub), make_role(stub)
    resp = stub.UpdateDefaultRoles(
        pb.UpdateDefaultRolesRequest(default_creator_role=creator.name, default_member_role=member.name)
    )
    assert (resp.default_creator.name, resp.default_member.name) == (creator.name, member.name)
    assert resp.default_creator.default_creator
    assert resp.default_member.default_member
    other = make_role(stub)
    legacy = pb.UpdateDefaultRolesRequest(default_member=pb.UpdateDefaultRole(id=other.id))
    resp = stub.UpdateDefaultRoles(legacy)
    assert (resp.default_creator.name, resp.default_member.name) == (creator.name, other.name)
    roles = stub.ListRoles(pb.ListRolesRequest()).roles
    assert [r.name for r in roles if r.default_member] == [other.name]
    assert [r.name for r in roles if r.default_creator] == [creator.name]
    with emulator.state.store.transaction() as tx:
        assert default_member_role(tx) == other.name
    err = fails(stub.DeleteRole, pb.DeleteRoleRequest(role_name=other.name))
    assert err.error_code == "ROLE_IS_DEFAULT"
    stub.DeleteRole(pb.DeleteRoleRequest(role_name=other.name, reassign_role_name=member.name))
    assert get_role(stub, member.name).default_member


def test_update_default_roles_errors(stub: Stub) -> None:
    empty = fails(stub.UpdateDefaultRoles, pb.UpdateDefaultRolesRequest())
    assert empty.grpc_code == "INVALID_ARGUMENT"
    assert empty.field_violations
    missing = fails(stub.UpdateDefaultRoles, pb.UpdateDefaultRolesRequest(default_member_role=uid()))
    assert missing.grpc_code == "NOT_FOUND"
    bad = fails(stub.UpdateDefaultRoles, pb.UpdateDefaultRolesRequest(default_creator_role="a b"))
    assert violated(bad) == {"default_creator_role"}


def test_update_default_organization_roles(stub: Stub, emulator: Any) -> None:
    org_id = make_org(emulator)
    env_role = make_role(stub)
    org_role = make_org_role(stub, org_id)
    resp = stub.UpdateDefaultOrganizationRoles(
        pb.UpdateDefaultOrganizationRolesRequest(org_id=org_id, default_member_role=org_role.name)
    )
    assert resp.default_member.name == org_role.name
    assert resp.default_member.default_member
    with emulator.state.store.transaction() as tx:
        stored = tx.get("role", org_role.id, pb.Role)
        assert stored is not None
        assert stored.default_member
    resp = stub.UpdateDefaultOrganizationRoles(
        pb.UpdateDefaultOrganizationRolesRequest(org_id=org_id, default_member_role=env_role.name)
    )
    assert resp.default_member.name == env_role.name
    assert not resp.default_member.is_org_role
    listed = stub.ListOrganizationRoles(pb.ListOrganizationRolesRequest(org_id=org_id)).roles
    assert [r.name for r in listed if r.default_member] == [env_role.name]
    with emulator.state.store.transaction() as tx:  # the stored flag follows the organization's choice
        stored = tx.get("role", org_role.id, pb.Role)
        assert stored is not None
        assert not stored.default_member
    with emulator.state.store.transaction() as tx:
        assert default_member_role(tx, org_id) == env_role.name
    err = fails(stub.DeleteRole, pb.DeleteRoleRequest(role_name=env_role.name))
    assert err.error_code == "ROLE_IS_DEFAULT"
    unknown_org = pb.UpdateDefaultOrganizationRolesRequest(org_id=new_id("org"), default_member_role="x")
    assert fails(stub.UpdateDefaultOrganizationRoles, unknown_org).grpc_code == "NOT_FOUND"
    unknown_role = pb.UpdateDefaultOrganizationRolesRequest(org_id=org_id, default_member_role=uid())
    assert fails(stub.UpdateDefaultOrganizationRoles, unknown_role).grpc_code == "NOT_FOUND"
    bad = pb.UpdateDefaultOrganizationRolesRequest(org_id="nope", default_member_role="x")
    assert violated(fails(stub.UpdateDefaultOrganizationRoles, bad)) == {"org_id"}


# ----- users holding roles; helpers other services import -----


def test_role_users_counts_respect_shadowing(stub: Stub, emulator: Any) -> None:
    org_a, org_b = make_org(emulator), make_org(emulator)
    role = make_role(stub)
    make_user(emulator, {org_a: [role.name], org_b: [role.name]})
    make_user(emulator, {org_b: [role.name]})
    make_user(emulator, {org_a: ["something_else"]})
    count = stub.GetRoleUsersCount(pb.GetRoleUsersCountRequest(role_name=role.name)).count
    assert count == 2
    make_org_role(stub, org_b, name=role.name)  # org_b's members now hold org_b's own role
    assert stub.GetRoleUsersCount(pb.GetRoleUsersCountRequest(role_name=role.name)).count == 1
    org_count = stub.GetOrganizationRoleUsersCount(
        pb.GetOrganizationRoleUsersCountRequest(org_id=org_b, role_name=role.name)
    ).count
    assert org_count == 2
    missing = fails(stub.GetRoleUsersCount, pb.GetRoleUsersCountRequest(role_name=uid()))
    assert missing.grpc_code == "NOT_FOUND"
    req = pb.GetOrganizationRoleUsersCountRequest(org_id=org_a, role_name=uid())
    assert fails(stub.GetOrganizationRoleUsersCount, req).grpc_code == "NOT_FOUND"
    req = pb.GetOrganizationRoleUsersCountRequest(org_id="", role_name=role.name)
    assert violated(fails(stub.GetOrganizationRoleUsersCount, req)) == {"org_id"}


def test_module_helpers_for_other_services(stub: Stub, emulator: Any) -> None:
    p1, p2, p3 = make_perms(stub, 3)
    base = make_role(stub, [p1])
    role = make_role(stub, [p2, p1], extends=base.name)
    org_id = make_org(emulator)
    make_org_role(stub, org_id, name=role.name, perms=[p3], extends=role.name)
    with emulator.state.store.transaction() as tx:
        assert effective_permissions(tx, role.name) == [p2, p1]
        assert effective_permissions(tx, role.name, org_id) == [p3, p2, p1]
        assert effective_permissions(tx, base.name, org_id) == [p1]
        assert effective_permissions(tx, uid()) == []
