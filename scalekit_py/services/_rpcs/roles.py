"""RPC handles of ``scalekit.v1.roles.RolesService`` (role RPCs)."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.roles import roles_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.roles.RolesService"

CREATE_ROLE = rpc(_SERVICE, "CreateRole", pb.CreateRoleRequest, pb.CreateRoleResponse)
UPDATE_ROLE = rpc(_SERVICE, "UpdateRole", pb.UpdateRoleRequest, pb.UpdateRoleResponse)
GET_ROLE = rpc(_SERVICE, "GetRole", pb.GetRoleRequest, pb.GetRoleResponse)
LIST_ROLES = rpc(_SERVICE, "ListRoles", pb.ListRolesRequest, pb.ListRolesResponse)
DELETE_ROLE = rpc(_SERVICE, "DeleteRole", pb.DeleteRoleRequest, empty_pb2.Empty)
CREATE_ORGANIZATION_ROLE = rpc(
    _SERVICE, "CreateOrganizationRole", pb.CreateOrganizationRoleRequest, pb.CreateOrganizationRoleResponse
)
UPDATE_ORGANIZATION_ROLE = rpc(
    _SERVICE, "UpdateOrganizationRole", pb.UpdateOrganizationRoleRequest, pb.UpdateOrganizationRoleResponse
)
GET_ORGANIZATION_ROLE = rpc(
    _SERVICE, "GetOrganizationRole", pb.GetOrganizationRoleRequest, pb.GetOrganizationRoleResponse
)
LIST_ORGANIZATION_ROLES = rpc(
    _SERVICE, "ListOrganizationRoles", pb.ListOrganizationRolesRequest, pb.ListOrganizationRolesResponse
)
DELETE_ORGANIZATION_ROLE = rpc(
    _SERVICE, "DeleteOrganizationRole", pb.DeleteOrganizationRoleRequest, empty_pb2.Empty
)
GET_ROLE_USERS_COUNT = rpc(
    _SERVICE, "GetRoleUsersCount", pb.GetRoleUsersCountRequest, pb.GetRoleUsersCountResponse
)
GET_ORGANIZATION_ROLE_USERS_COUNT = rpc(
    _SERVICE,
    "GetOrganizationRoleUsersCount",
    pb.GetOrganizationRoleUsersCountRequest,
    pb.GetOrganizationRoleUsersCountResponse,
)
UPDATE_DEFAULT_ROLES = rpc(
    _SERVICE, "UpdateDefaultRoles", pb.UpdateDefaultRolesRequest, pb.UpdateDefaultRolesResponse
)
UPDATE_DEFAULT_ORGANIZATION_ROLES = rpc(
    _SERVICE,
    "UpdateDefaultOrganizationRoles",
    pb.UpdateDefaultOrganizationRolesRequest,
    pb.UpdateDefaultOrganizationRolesResponse,
)
LIST_DEPENDENT_ROLES = rpc(
    _SERVICE, "ListDependentRoles", pb.ListDependentRolesRequest, pb.ListDependentRolesResponse
)
DELETE_ROLE_BASE = rpc(_SERVICE, "DeleteRoleBase", pb.DeleteRoleBaseRequest, empty_pb2.Empty)
DELETE_ORGANIZATION_ROLE_BASE = rpc(
    _SERVICE, "DeleteOrganizationRoleBase", pb.DeleteOrganizationRoleBaseRequest, empty_pb2.Empty
)
