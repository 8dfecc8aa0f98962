"""RPC handles of ``scalekit.v1.users.UserService``."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.users import users_pb2 as pb
from scalekit_py._transport.rpc import Reconcile
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


def _member(user: pb.User, organization_id: str) -> bool:
    return any(m.organization_id == organization_id for m in user.memberships)


def _membership_user(request: pb.CreateMembershipRequest) -> pb.GetUserRequest | None:
    if request.WhichOneof("identities") == "id":
        return pb.GetUserRequest(id=request.id)
    return pb.GetUserRequest(external_id=request.external_id) if request.external_id else None


def _membership_made(
    request: pb.CreateMembershipRequest, found: pb.GetUserResponse
) -> pb.CreateMembershipResponse | None:
    made = _member(found.user, request.organization_id)
    return pb.CreateMembershipResponse(user=found.user) if made else None


def _user_by_external_id(request: pb.CreateUserAndMembershipRequest) -> pb.GetUserRequest | None:
    external_id = request.user.external_id
    return pb.GetUserRequest(external_id=external_id) if external_id else None


def _user_made(
    request: pb.CreateUserAndMembershipRequest, found: pb.GetUserResponse
) -> pb.CreateUserAndMembershipResponse | None:
    made = _member(found.user, request.organization_id)
    return pb.CreateUserAndMembershipResponse(user=found.user) if made else None


# Retried after an unknown outcome, these look the user up first (see Reconcile).
CREATE_MEMBERSHIP = rpc(
    _SERVICE,
    "CreateMembership",
    pb.CreateMembershipRequest,
    pb.CreateMembershipResponse,
    reconcile=Reconcile(GET_USER, _membership_user, _membership_made),
)
DELETE_MEMBERSHIP = rpc(_SERVICE, "DeleteMembership", pb.DeleteMembershipRequest, empty_pb2.Empty)
UPDATE_MEMBERSHIP = rpc(_SERVICE, "UpdateMembership", pb.UpdateMembershipRequest, pb.UpdateMembershipResponse)
CREATE_USER_AND_MEMBERSHIP = rpc(
    _SERVICE,
    "CreateUserAndMembership",
    pb.CreateUserAndMembershipRequest,
    pb.CreateUserAndMembershipResponse,
    reconcile=Reconcile(GET_USER, _user_by_external_id, _user_made),
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
