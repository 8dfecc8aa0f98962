"""RPC handles of ``scalekit.v1.directories.DirectoryService``."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.directories import directories_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.directories.DirectoryService"

CREATE_DIRECTORY = rpc(_SERVICE, "CreateDirectory", pb.CreateDirectoryRequest, pb.CreateDirectoryResponse)
DELETE_DIRECTORY = rpc(_SERVICE, "DeleteDirectory", pb.DeleteDirectoryRequest, empty_pb2.Empty)
UPDATE_DIRECTORY = rpc(_SERVICE, "UpdateDirectory", pb.UpdateDirectoryRequest, pb.UpdateDirectoryResponse)
ASSIGN_GROUPS_FOR_DIRECTORY = rpc(
    _SERVICE, "AssignGroupsForDirectory", pb.AssignGroupsForDirectoryRequest, empty_pb2.Empty
)
ASSIGN_ROLES = rpc(_SERVICE, "AssignRoles", pb.AssignRolesRequest, pb.AssignRolesResponse)
UPDATE_ATTRIBUTES = rpc(_SERVICE, "UpdateAttributes", pb.UpdateAttributesRequest, pb.UpdateAttributesResponse)
GET_DIRECTORY = rpc(_SERVICE, "GetDirectory", pb.GetDirectoryRequest, pb.GetDirectoryResponse)
LIST_DIRECTORIES = rpc(_SERVICE, "ListDirectories", pb.ListDirectoriesRequest, pb.ListDirectoriesResponse)
ENABLE_DIRECTORY = rpc(_SERVICE, "EnableDirectory", pb.ToggleDirectoryRequest, pb.ToggleDirectoryResponse)
DISABLE_DIRECTORY = rpc(_SERVICE, "DisableDirectory", pb.ToggleDirectoryRequest, pb.ToggleDirectoryResponse)
LIST_DIRECTORY_USERS = rpc(
    _SERVICE, "ListDirectoryUsers", pb.ListDirectoryUsersRequest, pb.ListDirectoryUsersResponse
)
LIST_DIRECTORY_GROUPS = rpc(
    _SERVICE, "ListDirectoryGroups", pb.ListDirectoryGroupsRequest, pb.ListDirectoryGroupsResponse
)
LIST_DIRECTORY_GROUPS_SUMMARY = rpc(
    _SERVICE,
    "ListDirectoryGroupsSummary",
    pb.ListDirectoryGroupsSummaryRequest,
    pb.ListDirectoryGroupsResponse,
)
CREATE_DIRECTORY_SECRET = rpc(
    _SERVICE, "CreateDirectorySecret", pb.CreateDirectorySecretRequest, pb.CreateDirectorySecretResponse
)
REGENERATE_DIRECTORY_SECRET = rpc(
    _SERVICE,
    "RegenerateDirectorySecret",
    pb.RegenerateDirectorySecretRequest,
    pb.RegenerateDirectorySecretResponse,
)
TRIGGER_DIRECTORY_SYNC = rpc(
    _SERVICE, "TriggerDirectorySync", pb.TriggerDirectorySyncRequest, empty_pb2.Empty
)
