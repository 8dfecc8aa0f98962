"""``client.role`` and ``client.permission`` against the emulator, in both flavours."""

from __future__ import annotations

from scalekit_api.v1.roles import roles_pb2 as pb
from scalekit_api.v1.users import users_pb2
from scalekit_py._client import ScalekitClient
from scalekit_py.errors import BadRequestError, ConflictError, NotFoundError, PreconditionFailedError
from tests.e2e._support import api_error, returns_none, unique, violated_fields

READ = ["organizations:read", "users:read"]  # what the seeded "member" role grants


def new_org(client: ScalekitClient) -> str:
    return client.organization.create_organization(unique("Org")).id


def new_member(client: ScalekitClient, org_id: str) -> str:
    user = users_pb2.CreateUser(email=f"{unique('member')}@example.com")
    return client.user.create_user_and_membership(org_id, user=user).id


def new_permission(client: ScalekitClient, tag: str = "perm") -> pb.Permission:
    return client.permission.create_permission(f"{unique(tag)}:read", description="Read things")


# --- environment roles ----------------------------------------------------------------------------------


def test_role_lifecycle(client: ScalekitClient) -> None:
    perm = new_permission(client)
    name = unique("role")
    role = client.role.create_role(
        name, display_name="Auditor", description="Reads", extends="member", permissions=[perm.name]
    )
    assert isinstance(role, pb.Role)
    assert role.id.startswith("role_")
    assert (role.name, role.display_name, role.extends) == (
        name,
        "Auditor",
        "member",
    )
    assert [p.name for p in role.permissions] == [perm.name]
    assert not role.is_org_role

    plain = client.role.get_role(name)
    assert isinstance(plain, pb.Role)
    assert plain.id == role.id
    assert not plain.permissions
    assert [p.name for p in client.role.get_role(name, include="permissions").permissions] == [perm.name]
    effective = client.role.get_role(name, include="permissions:all")
    assert {p.name for p in effective.permissions} == {perm.name, *READ}
    listed = client.role.list_roles()
    assert isinstance(listed, pb.ListRolesResponse)
    assert {"admin", "member", name} <= {r.name for r in listed.roles}

    changed = client.role.update_role(
        name, display_name="Senior Auditor", role=pb.UpdateRole(description="More")
    )
    assert isinstance(changed, pb.Role)
    assert (changed.display_name, changed.description) == ("Senior Auditor", "More")

    returns_none(lambda: client.role.delete_role(name))
    api_error(
        NotFoundError, lambda: client.role.get_role(name), grpc_code="NOT_FOUND", error_code="NOT_FOUND"
    )


def test_role_errors(client: ScalekitClient) -> None:
    name = unique("role")
    client.role.create_role(name, display_name="Twin")
    api_error(
        ConflictError,
        lambda: client.role.create_role(name, display_name="Twin"),
        grpc_code="ALREADY_EXISTS",
        error_code="ROLE_KEYNAME_CONFLICT",  # the real service's code for a taken role name
    )
    err = api_error(
        BadRequestError,
        lambda: client.role.create_role("has spaces", display_name="Bad"),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"role.name"}
    err = api_error(
        BadRequestError,
        lambda: client.role.create_role(unique("role"), display_name="X", permissions=[unique("nope")]),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"role.permissions[0]"}
    api_error(
        PreconditionFailedError,
        lambda: client.role.update_role("member", extends="admin"),  # admin extends member: a cycle
        grpc_code="FAILED_PRECONDITION",
        error_code="ROLE_INHERITANCE_CYCLE",
    )
    missing = unique("missing")
    for call in (
        lambda: client.role.get_role(missing),
        lambda: client.role.update_role(missing, display_name="x"),
        lambda: client.role.delete_role(missing),
        lambda: client.role.get_role_users_count(missing),
        lambda: client.role.list_dependent_roles(missing),
        lambda: client.role.delete_role_base(missing),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")


def test_inheritance_and_deletion_rules(client: ScalekitClient) -> None:
    base, child = unique("base"), unique("child")
    client.role.create_role(base, display_name="Base", extends="member")
    client.role.create_role(child, display_name="Child", extends=base)
    dependents = client.role.list_dependent_roles(base)
    assert isinstance(dependents, pb.ListDependentRolesResponse)
    assert [r.name for r in dependents.roles] == [child]
    api_error(
        PreconditionFailedError,
        lambda: client.role.delete_role(base),
        grpc_code="FAILED_PRECONDITION",
        error_code="ROLE_HAS_DEPENDENTS",
    )
    returns_none(lambda: client.role.delete_role_base(child))
    assert not client.role.get_role(child).HasField("extends")
    assert client.role.list_dependent_roles(base).roles == []
    api_error(
        PreconditionFailedError,
        lambda: client.role.delete_role_base(child),
        grpc_code="FAILED_PRECONDITION",
        error_code="ROLE_HAS_NO_BASE",
    )

    org_id = new_org(client)
    user_id = new_member(client, org_id)
    client.user.assign_user_roles(org_id, user_id, role_names=[child])
    count = client.role.get_role_users_count(child)
    assert isinstance(count, pb.GetRoleUsersCountResponse)
    assert count.count == 1
    api_error(
        PreconditionFailedError,
        lambda: client.role.delete_role(child),
        grpc_code="FAILED_PRECONDITION",
        error_code="ROLE_IN_USE",
    )
    client.role.delete_role(child, reassign_role_name=base)  # holders move to the base role
    assert sorted(r.name for r in client.user.list_user_roles(org_id, user_id).roles) == sorted(
        ["member", base]
    )
    assert client.role.get_role_users_count(base).count == 1


def test_default_roles(client: ScalekitClient) -> None:
    name = unique("newbie")
    client.role.create_role(name, display_name="Newbie", extends="member")
    try:
        defaults = client.role.update_default_roles(default_member_role=name)
        assert isinstance(defaults, pb.UpdateDefaultRolesResponse)
        assert (defaults.default_member.name, defaults.default_creator.name) == (name, "admin")
        org_id = new_org(client)
        user_id = new_member(client, org_id)
        assert [r.name for r in client.user.list_user_roles(org_id, user_id).roles] == [name]
        api_error(
            PreconditionFailedError,
            lambda: client.role.delete_role(name),
            grpc_code="FAILED_PRECONDITION",
            error_code="ROLE_IS_DEFAULT",
        )
    finally:
        restored = client.role.update_default_roles(
            default_member_role="member", default_creator_role="admin"
        )
    assert (restored.default_member.name, restored.default_creator.name) == ("member", "admin")
    api_error(
        NotFoundError,
        lambda: client.role.update_default_roles(default_member_role=unique("missing")),
        grpc_code="NOT_FOUND",
    )
    err = api_error(BadRequestError, lambda: client.role.update_default_roles(), grpc_code="INVALID_ARGUMENT")
    assert violated_fields(err) == {"default_member_role"}


# --- organization roles ---------------------------------------------------------------------------------


def test_organization_roles(client: ScalekitClient) -> None:
    org_id, name = new_org(client), unique("orgrole")
    role = client.role.create_organization_role(
        org_id, name, display_name="Org Viewer", extends="member", permissions=["users:read"]
    )
    assert isinstance(role, pb.Role)
    assert role.is_org_role
    assert (role.name, role.extends) == (name, "member")
    fetched = client.role.get_organization_role(org_id, name, include="permissions")
    assert isinstance(fetched, pb.Role)
    assert [p.name for p in fetched.permissions] == ["users:read"]
    assert (
        client.role.get_organization_role(org_id, "admin").name == "admin"
    )  # environment roles show through
    listed = client.role.list_organization_roles(org_id)
    assert isinstance(listed, pb.ListOrganizationRolesResponse)
    assert {"admin", "member", name} <= {r.name for r in listed.roles}
    assert name not in {r.name for r in client.role.list_organization_roles(new_org(client)).roles}

    changed = client.role.update_organization_role(org_id, name, display_name="Org Reader")
    assert isinstance(changed, pb.Role)
    assert changed.display_name == "Org Reader"

    user_id = new_member(client, org_id)
    client.user.assign_user_roles(org_id, user_id, role_names=[name])
    count = client.role.get_organization_role_users_count(org_id, name)
    assert isinstance(count, pb.GetOrganizationRoleUsersCountResponse)
    assert count.count == 1

    default = client.role.update_default_organization_roles(org_id, default_member_role=name)
    assert isinstance(default, pb.Role)
    assert default.name == name
    assert client.role.get_organization_role(org_id, name).default_member is True
    api_error(
        PreconditionFailedError,
        lambda: client.role.delete_organization_role(org_id, name),
        grpc_code="FAILED_PRECONDITION",
        error_code="ROLE_IS_DEFAULT",
    )

    returns_none(lambda: client.role.delete_organization_role_base(org_id, name))
    assert not client.role.get_organization_role(org_id, name).HasField("extends")
    api_error(
        PreconditionFailedError,
        lambda: client.role.delete_organization_role_base(org_id, name),
        grpc_code="FAILED_PRECONDITION",
        error_code="ROLE_HAS_NO_BASE",
    )
    returns_none(lambda: client.role.delete_organization_role(org_id, name, reassign_role_name="member"))
    assert [r.name for r in client.user.list_user_roles(org_id, user_id).roles] == ["member"]
    missing_org = "org_999999999999"
    for call in (
        lambda: client.role.get_organization_role(org_id, name),
        lambda: client.role.update_organization_role(org_id, name, display_name="x"),
        lambda: client.role.delete_organization_role(org_id, name),
        lambda: client.role.get_organization_role_users_count(org_id, name),
        lambda: client.role.update_default_organization_roles(org_id, default_member_role=name),
        lambda: client.role.create_organization_role(missing_org, unique("r"), display_name="x"),
        lambda: client.role.list_organization_roles(missing_org),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")


# --- permissions ----------------------------------------------------------------------------------------


def test_permission_lifecycle(client: ScalekitClient) -> None:
    perm = new_permission(client)
    assert isinstance(perm, pb.Permission)
    assert perm.id.startswith("perm_")
    assert perm.description == "Read things"
    assert perm.HasField("create_time")
    assert client.permission.get_permission(perm.name) == perm
    api_error(
        ConflictError,
        lambda: client.permission.create_permission(perm.name),
        grpc_code="ALREADY_EXISTS",
        error_code="ALREADY_EXISTS",
    )
    renamed = f"{unique('renamed')}:write"
    changed = client.permission.update_permission(perm.name, name=renamed, description="Write things")
    assert isinstance(changed, pb.Permission)
    assert (changed.id, changed.name, changed.description) == (perm.id, renamed, "Write things")
    api_error(NotFoundError, lambda: client.permission.get_permission(perm.name), grpc_code="NOT_FOUND")
    returns_none(lambda: client.permission.delete_permission(renamed))
    for call in (
        lambda: client.permission.get_permission(renamed),
        lambda: client.permission.delete_permission(renamed),
        lambda: client.permission.update_permission(renamed, name=renamed, description="x"),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")
    err = api_error(
        BadRequestError,
        lambda: client.permission.create_permission("no spaces allowed"),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"permission.name"}


def test_permission_listings_and_pager(client: ScalekitClient) -> None:
    mine = [new_permission(client, "listed").name for _ in range(3)]
    first = client.permission.list_permissions(page_size=2)
    assert isinstance(first, pb.ListPermissionsResponse)
    assert len(first.permissions) == 2
    assert first.next_page_token
    assert first.total_size >= 7
    everything = [p.name for p in client.permission.iter_permissions(page_size=2)]
    assert len(everything) == len(set(everything)) == first.total_size
    assert set(mine) <= set(everything)
    pager = client.permission.iter_permissions(page_size=2, limit=3)
    head = [p.name for p in pager]
    rest = client.permission.iter_permissions(page_size=2, page_token=pager.next_page_token or "")
    assert head + [p.name for p in rest] == everything
    assert [
        p.name for p in client.permission.iter_permissions(type=pb.ENVIRONMENT, page_size=50)
    ] == everything
    err = api_error(
        BadRequestError,
        lambda: client.permission.list_permissions(page_size=1000),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"page_size"}


def test_permissions_pager_without_page_size(client: ScalekitClient) -> None:
    """The service's default page size applies when none is given, for the pager too."""
    new_permission(client, "default")
    page = client.permission.list_permissions()
    assert page.total_size >= 5
    assert len([p.name for p in client.permission.iter_permissions()]) == page.total_size


def test_role_permissions(client: ScalekitClient) -> None:
    perms = [new_permission(client, "rp").name for _ in range(2)]
    name = unique("role")
    client.role.create_role(name, display_name="Granted", extends="member", permissions=perms[:1])
    direct = client.permission.list_role_permissions(name)
    assert isinstance(direct, pb.ListRolePermissionsResponse)
    assert [p.name for p in direct.permissions] == perms[:1]

    added = client.permission.add_permissions_to_role(name, permission_names=perms[1:])
    assert isinstance(added, pb.AddPermissionsToRoleResponse)
    assert [p.name for p in added.permissions] == perms
    effective = client.permission.list_effective_role_permissions(name)
    assert isinstance(effective, pb.ListEffectiveRolePermissionsResponse)
    assert {p.name for p in effective.permissions} == {*perms, *READ}

    returns_none(lambda: client.permission.remove_permission_from_role(name, perms[0]))
    assert [p.name for p in client.permission.list_role_permissions(name).permissions] == perms[1:]
    api_error(
        NotFoundError,
        lambda: client.permission.remove_permission_from_role(name, perms[0]),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )
    err = api_error(
        BadRequestError,
        lambda: client.permission.add_permissions_to_role(name, permission_names=[unique("nope")]),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"permission_names[0]"}
    missing = unique("missing")
    for call in (
        lambda: client.permission.list_role_permissions(missing),
        lambda: client.permission.list_effective_role_permissions(missing),
        lambda: client.permission.add_permissions_to_role(missing, permission_names=perms),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")
