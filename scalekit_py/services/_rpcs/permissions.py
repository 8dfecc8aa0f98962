"""RPC handles of ``scalekit.v1.roles.RolesService`` (permission RPCs)."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.roles import roles_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.roles.RolesService"

CREATE_PERMISSION = rpc(_SERVICE, "CreatePermission", pb.CreatePermissionRequest, pb.CreatePermissionResponse)
GET_PERMISSION = rpc(_SERVICE, "GetPermission", pb.GetPermissionRequest, pb.GetPermissionResponse)
UPDATE_PERMISSION = rpc(_SERVICE, "UpdatePermission", pb.UpdatePermissionRequest, pb.UpdatePermissionResponse)
LIST_PERMISSIONS = rpc(_SERVICE, "ListPermissions", pb.ListPermissionsRequest, pb.ListPermissionsResponse)
DELETE_PERMISSION = rpc(_SERVICE, "DeletePermission", pb.DeletePermissionRequest, empty_pb2.Empty)
LIST_ROLE_PERMISSIONS = rpc(
    _SERVICE, "ListRolePermissions", pb.ListRolePermissionsRequest, pb.ListRolePermissionsResponse
)
ADD_PERMISSIONS_TO_ROLE = rpc(
    _SERVICE, "AddPermissionsToRole", pb.AddPermissionsToRoleRequest, pb.AddPermissionsToRoleResponse
)
REMOVE_PERMISSION_FROM_ROLE = rpc(
    _SERVICE, "RemovePermissionFromRole", pb.RemovePermissionFromRoleRequest, empty_pb2.Empty
)
LIST_EFFECTIVE_ROLE_PERMISSIONS = rpc(
    _SERVICE,
    "ListEffectiveRolePermissions",
    pb.ListEffectiveRolePermissionsRequest,
    pb.ListEffectiveRolePermissionsResponse,
)
