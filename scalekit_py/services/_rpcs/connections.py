"""RPC handles of ``scalekit.v1.connections.ConnectionService``."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.connections import connections_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.connections.ConnectionService"

CREATE_ENVIRONMENT_CONNECTION = rpc(
    _SERVICE,
    "CreateEnvironmentConnection",
    pb.CreateEnvironmentConnectionRequest,
    pb.CreateConnectionResponse,
)
CREATE_CONNECTION = rpc(_SERVICE, "CreateConnection", pb.CreateConnectionRequest, pb.CreateConnectionResponse)
ASSIGN_DOMAINS_TO_CONNECTION = rpc(
    _SERVICE,
    "AssignDomainsToConnection",
    pb.AssignDomainsToConnectionRequest,
    pb.AssignDomainsToConnectionResponse,
)
GET_ENVIRONMENT_CONNECTION = rpc(
    _SERVICE, "GetEnvironmentConnection", pb.GetEnvironmentConnectionRequest, pb.GetConnectionResponse
)
GET_CONNECTION = rpc(_SERVICE, "GetConnection", pb.GetConnectionRequest, pb.GetConnectionResponse)
LIST_CONNECTIONS = rpc(_SERVICE, "ListConnections", pb.ListConnectionsRequest, pb.ListConnectionsResponse)
LIST_ORGANIZATION_CONNECTIONS = rpc(
    _SERVICE,
    "ListOrganizationConnections",
    pb.ListOrganizationConnectionsRequest,
    pb.ListOrganizationConnectionsResponse,
)
SEARCH_ORGANIZATION_CONNECTIONS = rpc(
    _SERVICE,
    "SearchOrganizationConnections",
    pb.SearchOrganizationConnectionsRequest,
    pb.SearchOrganizationConnectionsResponse,
)
UPDATE_ENVIRONMENT_CONNECTION = rpc(
    _SERVICE,
    "UpdateEnvironmentConnection",
    pb.UpdateEnvironmentConnectionRequest,
    pb.UpdateConnectionResponse,
)
UPDATE_CONNECTION = rpc(_SERVICE, "UpdateConnection", pb.UpdateConnectionRequest, pb.UpdateConnectionResponse)
DELETE_ENVIRONMENT_CONNECTION = rpc(
    _SERVICE, "DeleteEnvironmentConnection", pb.DeleteEnvironmentConnectionRequest, empty_pb2.Empty
)
DELETE_CONNECTION = rpc(_SERVICE, "DeleteConnection", pb.DeleteConnectionRequest, empty_pb2.Empty)
ENABLE_ENVIRONMENT_CONNECTION = rpc(
    _SERVICE,
    "EnableEnvironmentConnection",
    pb.ToggleEnvironmentConnectionRequest,
    pb.ToggleConnectionResponse,
)
ENABLE_CONNECTION = rpc(_SERVICE, "EnableConnection", pb.ToggleConnectionRequest, pb.ToggleConnectionResponse)
DISABLE_ENVIRONMENT_CONNECTION = rpc(
    _SERVICE,
    "DisableEnvironmentConnection",
    pb.ToggleEnvironmentConnectionRequest,
    pb.ToggleConnectionResponse,
)
DISABLE_CONNECTION = rpc(
    _SERVICE, "DisableConnection", pb.ToggleConnectionRequest, pb.ToggleConnectionResponse
)
GET_CONNECTION_TEST_RESULT = rpc(
    _SERVICE, "GetConnectionTestResult", pb.GetConnectionTestResultRequest, pb.GetConnectionTestResultResponse
)
LIST_APP_CONNECTIONS = rpc(
    _SERVICE, "ListAppConnections", pb.ListAppConnectionsRequest, pb.ListAppConnectionsResponse
)
