"""RolesService permissions through the generated gRPC stubs: CRUD, paging, role permissions, inheritance."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

import grpc
import pytest

from scalekit_api.v1.roles import roles_pb2 as pb
from scalekit_api.v1.roles import roles_pb2_grpc
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error

Stub = roles_pb2_grpc.RolesServiceStub


@pytest.fixture
def stub(grpc_channel: grpc.Channel) -> Stub:
    return roles_pb2_grpc.RolesServiceStub(grpc_channel)


def uid(prefix: str = "r") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def perm_name() -> str:
    return f"app:{uuid.uuid4().hex[:10]}"


def fails(call: Callable[[Any], Any], request: Any) -> errors.APIError:
    with pytest.raises(grpc.RpcError) as info:
        call(request)
    mapped = from_rpc_error(info.value)
    assert isinstance(mapped, errors.APIError)
    return mapped


def create(stub: Stub, name: str = "", description: str = "") -> pb.Permission:
    spec = pb.CreatePermission(name=name or perm_name(), description=description)
    return stub.CreatePermission(pb.CreatePermissionRequest(permission=spec)).permission


def make_role(stub: Stub, perms: Iterable[str] = (), extends: str | None = None) -> pb.Role:
    spec = pb.CreateRole(name=uid(), display_name="Role", permissions=list(perms))
    if extends is not None:
        spec.extends = extends
    return stub.CreateRole(pb.CreateRoleRequest(role=spec)).role


def direct(stub: Stub, role_name: str) -> list[str]:
    return [
        p.name
        for p in stub.ListRolePermissions(pb.ListRolePermissionsRequest(role_name=role_name)).permissions
    ]


def test_create_and_get_permission(stub: Stub) -> None:
    perm = create(stub, description="read the app")
    assert perm.id.startswith("perm_")
    assert perm.create_time.seconds > 0
    assert perm.update_time == perm.create_time
    assert not perm.is_scalekit_permission
    got = stub.GetPermission(pb.GetPermissionRequest(permission_name=perm.name)).permission
    assert got == perm


def test_create_permission_errors(stub: Stub) -> None:
    perm = create(stub)
    dup = fails(
        stub.CreatePermission, pb.CreatePermissionRequest(permission=pb.CreatePermission(name=perm.name))
    )
    assert dup.grpc_code == "ALREADY_EXISTS"
    spaced = pb.CreatePermissionRequest(permission=pb.CreatePermission(name="read all"))
    bad = fails(stub.CreatePermission, spaced)
    assert bad.grpc_code == "INVALID_ARGUMENT"
    assert [(v.field, v.constraint) for v in bad.field_violations] == [
        ("permission.name", "permission.name.format")
    ]
    empty = fails(stub.CreatePermission, pb.CreatePermissionRequest())
    assert [v.field for v in empty.field_violations] == ["permission"]


def test_get_permission_not_found(stub: Stub) -> None:
    err = fails(stub.GetPermission, pb.GetPermissionRequest(permission_name=perm_name()))
    assert err.grpc_code == "NOT_FOUND"
    bad = fails(stub.GetPermission, pb.GetPermissionRequest(permission_name="a b"))
    assert [v.field for v in bad.field_violations] == ["permission_name"]


def test_update_permission_and_rename_reaches_roles(stub: Stub) -> None:
    perm = create(stub, description="old")
    role = make_role(stub, [perm.name])
    new_name = perm_name()
    upd = stub.UpdatePermission(
        pb.UpdatePermissionRequest(
            permission_name=perm.name, permission=pb.CreatePermission(name=new_name, description="new")
        )
    ).permission
    assert (upd.id, upd.name, upd.description) == (perm.id, new_name, "new")
    assert upd.create_time == perm.create_time
    assert direct(stub, role.name) == [new_name]
    gone = fails(stub.GetPermission, pb.GetPermissionRequest(permission_name=perm.name))
    assert gone.grpc_code == "NOT_FOUND"
    other = create(stub)
    clash = pb.UpdatePermissionRequest(
        permission_name=other.name, permission=pb.CreatePermission(name=new_name)
    )
    assert fails(stub.UpdatePermission, clash).grpc_code == "ALREADY_EXISTS"
    missing = pb.UpdatePermissionRequest(
        permission_name=perm_name(), permission=pb.CreatePermission(name="x")
    )
    assert fails(stub.UpdatePermission, missing).grpc_code == "NOT_FOUND"


def test_list_permissions_pages(stub: Stub) -> None:
    mine = [create(stub).name for _ in range(5)]
    seen: list[str] = []
    token = ""
    totals = set()
    for _ in range(100):
        page = stub.ListPermissions(pb.ListPermissionsRequest(page_size=2, page_token=token))
        assert len(page.permissions) <= 2
        seen += [p.name for p in page.permissions]
        totals.add(page.total_size)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen))
    assert [n for n in seen if n in mine] == mine
    assert totals == {len(seen)}
    second = stub.ListPermissions(pb.ListPermissionsRequest(page_size=2, page_token=""))
    after = stub.ListPermissions(pb.ListPermissionsRequest(page_size=2, page_token=second.next_page_token))
    assert after.prev_page_token
    environment = stub.ListPermissions(pb.ListPermissionsRequest(page_size=100, type=pb.ENVIRONMENT))
    assert set(mine) <= {p.name for p in environment.permissions}
    assert not any(p.is_scalekit_permission for p in environment.permissions)
    scalekit = stub.ListPermissions(pb.ListPermissionsRequest(type=pb.SCALEKIT))
    assert all(p.is_scalekit_permission for p in scalekit.permissions)
    assert not set(mine) & {p.name for p in scalekit.permissions}


def test_list_permissions_errors(stub: Stub) -> None:
    bad_token = fails(stub.ListPermissions, pb.ListPermissionsRequest(page_token="not-a-token"))
    assert [v.field for v in bad_token.field_violations] == ["page_token"]
    too_big = fails(stub.ListPermissions, pb.ListPermissionsRequest(page_size=101))
    assert [v.field for v in too_big.field_violations] == ["page_size"]


def test_delete_permission_removes_it_from_roles(stub: Stub) -> None:
    keep, drop = create(stub), create(stub)
    role = make_role(stub, [keep.name, drop.name])
    stub.DeletePermission(pb.DeletePermissionRequest(permission_name=drop.name))
    assert direct(stub, role.name) == [keep.name]
    gone = fails(stub.GetPermission, pb.GetPermissionRequest(permission_name=drop.name))
    assert gone.grpc_code == "NOT_FOUND"
    again = fails(stub.DeletePermission, pb.DeletePermissionRequest(permission_name=drop.name))
    assert again.grpc_code == "NOT_FOUND"
    create(stub, name=drop.name)  # a new permission of the same name is not granted by the old role
    assert direct(stub, role.name) == [keep.name]


def test_list_role_permissions(stub: Stub) -> None:
    a, b = create(stub), create(stub)
    base = make_role(stub, [a.name])
    role = make_role(stub, [b.name], extends=base.name)
    listed = stub.ListRolePermissions(pb.ListRolePermissionsRequest(role_name=role.name)).permissions
    assert list(listed) == [b]
    missing = fails(stub.ListRolePermissions, pb.ListRolePermissionsRequest(role_name=uid()))
    assert missing.grpc_code == "NOT_FOUND"


def test_add_permissions_to_role(stub: Stub) -> None:
    a, b, c = create(stub), create(stub), create(stub)
    role = make_role(stub, [a.name])
    added = stub.AddPermissionsToRole(
        pb.AddPermissionsToRoleRequest(role_name=role.name, permission_names=[b.name, a.name, c.name])
    ).permissions
    assert [p.name for p in added] == [a.name, b.name, c.name]
    assert direct(stub, role.name) == [a.name, b.name, c.name]
    unknown = pb.AddPermissionsToRoleRequest(role_name=role.name, permission_names=[a.name, perm_name()])
    err = fails(stub.AddPermissionsToRole, unknown)
    assert err.grpc_code == "INVALID_ARGUMENT"
    assert [v.field for v in err.field_violations] == ["permission_names[1]"]
    assert direct(stub, role.name) == [a.name, b.name, c.name]
    empty = fails(stub.AddPermissionsToRole, pb.AddPermissionsToRoleRequest(role_name=role.name))
    assert [v.field for v in empty.field_violations] == ["permission_names"]
    missing = pb.AddPermissionsToRoleRequest(role_name=uid(), permission_names=[a.name])
    assert fails(stub.AddPermissionsToRole, missing).grpc_code == "NOT_FOUND"


def test_remove_permission_from_role(stub: Stub) -> None:
    a, b = create(stub), create(stub)
    role = make_role(stub, [a.name, b.name])
    stub.RemovePermissionFromRole(
        pb.RemovePermissionFromRoleRequest(role_name=role.name, permission_name=a.name)
    )
    assert direct(stub, role.name) == [b.name]
    not_on_role = pb.RemovePermissionFromRoleRequest(role_name=role.name, permission_name=a.name)
    assert fails(stub.RemovePermissionFromRole, not_on_role).grpc_code == "NOT_FOUND"
    no_role = pb.RemovePermissionFromRoleRequest(role_name=uid(), permission_name=b.name)
    assert fails(stub.RemovePermissionFromRole, no_role).grpc_code == "NOT_FOUND"
    no_perm = pb.RemovePermissionFromRoleRequest(role_name=role.name, permission_name=perm_name())
    assert fails(stub.RemovePermissionFromRole, no_perm).grpc_code == "NOT_FOUND"


def test_list_effective_role_permissions(stub: Stub) -> None:
    a, b, c, d = (create(stub) for _ in range(4))
    root = make_role(stub, [a.name, b.name])
    middle = make_role(stub, [c.name, a.name], extends=root.name)
    leaf = make_role(stub, [d.name], extends=middle.name)
    got = stub.ListEffectiveRolePermissions(pb.ListEffectiveRolePermissionsRequest(role_name=leaf.name))
    assert [p.name for p in got.permissions] == [d.name, c.name, a.name, b.name]
    assert got.permissions[1] == c
    stub.DeleteRoleBase(pb.DeleteRoleBaseRequest(role_name=middle.name))
    got = stub.ListEffectiveRolePermissions(pb.ListEffectiveRolePermissionsRequest(role_name=leaf.name))
    assert [p.name for p in got.permissions] == [d.name, c.name, a.name]
    missing = fails(
        stub.ListEffectiveRolePermissions, pb.ListEffectiveRolePermissionsRequest(role_name=uid())
    )
    assert missing.grpc_code == "NOT_FOUND"
