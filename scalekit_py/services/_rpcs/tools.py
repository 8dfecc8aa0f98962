"""RPC handles of ``scalekit.v1.tools.ToolService``."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.tools import tools_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.tools.ToolService"

CREATE_TOOL = rpc(_SERVICE, "CreateTool", pb.CreateToolRequest, pb.CreateToolResponse)
LIST_TOOLS = rpc(_SERVICE, "ListTools", pb.ListToolsRequest, pb.ListToolsResponse)
LIST_SCOPED_TOOLS = rpc(_SERVICE, "ListScopedTools", pb.ListScopedToolsRequest, pb.ListScopedToolsResponse)
LIST_AVAILABLE_TOOLS = rpc(
    _SERVICE, "ListAvailableTools", pb.ListAvailableToolsRequest, pb.ListAvailableToolsResponse
)
SEARCH_TOOLS = rpc(_SERVICE, "SearchTools", pb.SearchToolsRequest, pb.SearchToolsResponse)
SET_TOOL_DEFAULT = rpc(_SERVICE, "SetToolDefault", pb.SetToolDefaultRequest, pb.SetToolDefaultResponse)
UPDATE_TOOL = rpc(_SERVICE, "UpdateTool", pb.UpdateToolRequest, pb.UpdateToolResponse)
DELETE_TOOL = rpc(_SERVICE, "DeleteTool", pb.DeleteToolRequest, empty_pb2.Empty)
EXECUTE_TOOL = rpc(_SERVICE, "ExecuteTool", pb.ExecuteToolRequest, pb.ExecuteToolResponse)
REFRESH_TOOLS = rpc(_SERVICE, "RefreshTools", pb.RefreshToolsRequest, pb.RefreshToolsResponse)
