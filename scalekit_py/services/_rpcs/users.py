"""RPC handles of ``scalekit.v1.users.UserService``."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.users import users_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.users.UserService"

GET_USER = rpc(_SERVICE, "GetUser", pb.GetUserRequest, pb.GetUserResponse)
LIST_USERS = rpc(_SERVICE, "ListUsers", pb.ListUsersRequest, pb.ListUsersResponse)
SEARCH_USERS = rpc(_SERVICE, "SearchUsers", pb.SearchUsersRequest, pb.SearchUsersResponse)
SEARCH_ORGANIZATION_USERS = rpc(
    _SERVICE, "SearchOrganizationUsers", pb.SearchOrganizationUsersRequest, pb.SearchOrganizationUsersResponse
)
UPDATE_USER = rpc(_SERVICE, "UpdateUser", pb.UpdateUserRequest, pb.UpdateUserResponse)
DELETE_USER = rpc(_SERVICE, "DeleteUser", pb.DeleteUserRequest, empty_pb2.Empty)
CREATE_MEMBERSHIP = rpc(_SERVICE, "CreateMembership", pb.CreateMembershipRequest, pb.CreateMembershipResponse)
DELETE_MEMBERSHIP = rpc(_SERVICE, "DeleteMembership", pb.DeleteMembershipRequest, empty_pb2.Empty)
UPDATE_MEMBERSHIP = rpc(_SERVICE, "UpdateMembership", pb.UpdateMembershipRequest, pb.UpdateMembershipResponse)
CREATE_USER_AND_MEMBERSHIP = rpc(
    _SERVICE, "CreateUserAndMembership", pb.CreateUserAndMembershipRequest, pb.CreateUserAndMembershipResponse
)
LIST_ORGANIZATION_USERS = rpc(
    _SERVICE, "ListOrganizationUsers", pb.ListOrganizationUsersRequest, pb.ListOrganizationUsersResponse
)
RESEND_INVITE = rpc(_SERVICE, "ResendInvite", pb.ResendInviteRequest, pb.ResendInviteResponse)
LIST_USER_ROLES = rpc(_SERVICE, "ListUserRoles", pb.ListUserRolesRequest, pb.ListUserRolesResponse)
ASSIGN_USER_ROLES = rpc(_SERVICE, "AssignUserRoles", pb.AssignUserRolesRequest, pb.AssignUserRolesResponse)
REMOVE_USER_ROLE = rpc(_SERVICE, "RemoveUserRole", pb.RemoveUserRoleRequest, empty_pb2.Empty)
LIST_USER_PERMISSIONS = rpc(
    _SERVICE, "ListUserPermissions", pb.ListUserPermissionsRequest, pb.ListUserPermissionsResponse
)
