"""RPC handles of ``scalekit.v1.mcp.McpService``."""

from __future__ import annotations

from scalekit_api.v1.mcp import mcp_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.mcp.McpService"

CREATE_MCP = rpc(_SERVICE, "CreateMcp", pb.CreateMcpRequest, pb.CreateMcpResponse)
GET_MCP = rpc(_SERVICE, "GetMcp", pb.GetMcpRequest, pb.GetMcpResponse)
LIST_MCP = rpc(_SERVICE, "ListMcp", pb.ListMcpRequest, pb.ListMcpResponse)
DELETE_MCP = rpc(_SERVICE, "DeleteMcp", pb.DeleteMcpRequest, pb.DeleteMcpResponse)
CREATE_MCP_CONFIG = rpc(_SERVICE, "CreateMcpConfig", pb.CreateMcpConfigRequest, pb.CreateMcpConfigResponse)
UPDATE_MCP_CONFIG = rpc(_SERVICE, "UpdateMcpConfig", pb.UpdateMcpConfigRequest, pb.UpdateMcpConfigResponse)
LIST_MCP_CONFIGS = rpc(_SERVICE, "ListMcpConfigs", pb.ListMcpConfigsRequest, pb.ListMcpConfigsResponse)
GET_MCP_CONFIG = rpc(_SERVICE, "GetMcpConfig", pb.GetMcpConfigRequest, pb.GetMcpConfigResponse)
DELETE_MCP_CONFIG = rpc(_SERVICE, "DeleteMcpConfig", pb.DeleteMcpConfigRequest, pb.DeleteMcpConfigResponse)
ENSURE_MCP_INSTANCE = rpc(
    _SERVICE, "EnsureMcpInstance", pb.EnsureMcpInstanceRequest, pb.EnsureMcpInstanceResponse
)
LIST_MCP_INSTANCES = rpc(
    _SERVICE, "ListMcpInstances", pb.ListMcpInstancesRequest, pb.ListMcpInstancesResponse
)
DELETE_MCP_INSTANCE = rpc(
    _SERVICE, "DeleteMcpInstance", pb.DeleteMcpInstanceRequest, pb.DeleteMcpInstanceResponse
)
UPDATE_MCP_INSTANCE = rpc(
    _SERVICE, "UpdateMcpInstance", pb.UpdateMcpInstanceRequest, pb.UpdateMcpInstanceResponse
)
GET_MCP_INSTANCE = rpc(_SERVICE, "GetMcpInstance", pb.GetMcpInstanceRequest, pb.GetMcpInstanceResponse)
GET_MCP_INSTANCE_AUTH_STATE = rpc(
    _SERVICE, "GetMcpInstanceAuthState", pb.GetMcpInstanceAuthStateRequest, pb.GetMcpInstanceAuthStateResponse
)
CREATE_MCP_SESSION_TOKEN = rpc(
    _SERVICE, "CreateMcpSessionToken", pb.CreateMcpSessionTokenRequest, pb.CreateMcpSessionTokenResponse
)
LIST_MCP_CONNECTED_ACCOUNTS = rpc(
    _SERVICE,
    "ListMcpConnectedAccounts",
    pb.ListMcpConnectedAccountsRequest,
    pb.ListMcpConnectedAccountsResponse,
)
