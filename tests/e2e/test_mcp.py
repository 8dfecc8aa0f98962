"""``client.mcp`` against the emulator's AgentKit, in both flavours: configurations (connection -> tool
mappings), per-user instances with their auth state and consent links, session tokens, and the
single-user MCP servers."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from scalekit_api.v1.mcp import mcp_pb2 as pb
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import BadRequestError, ConflictError, NotFoundError
from tests.e2e._agentkit import approve, connect
from tests.e2e._support import api_error, unique


def mapping(connection: str, *tools: str) -> pb.McpConfigConnectionToolMapping:
    return pb.McpConfigConnectionToolMapping(connection_name=connection, tools=list(tools))


def config_name() -> str:
    return unique("cfg").lower()


def test_configs(client: ScalekitClient, emulator: Emulator) -> None:
    name = config_name()
    config = client.mcp.create_config(
        name=name,
        description="notes bot",
        connection_tool_mappings=[mapping("notes", "notes_list", "notes_get")],
    )
    assert isinstance(config, pb.McpConfig)
    assert config.id.startswith("cfg_")
    assert config.mcp_server_url == f"{emulator.env_url}/mcp/configs/{config.id}"
    only = config.connection_tool_mappings[0]
    assert (only.connection_id, only.connection_name, only.provider, list(only.tools)) == (
        "conn_ak_notes",
        "notes",
        "NOTES",
        ["notes_list", "notes_get"],
    )
    api_error(ConflictError, lambda: client.mcp.create_config(name=name), grpc_code="ALREADY_EXISTS")
    bad = api_error(
        BadRequestError,
        lambda: client.mcp.create_config(
            name=config_name(), connection_tool_mappings=[mapping("nope", "x"), mapping("notes", "echo")]
        ),
        grpc_code="INVALID_ARGUMENT",
    )
    assert {v.field for v in bad.field_violations} == {
        "connection_tool_mappings[0].connection_name",
        "connection_tool_mappings[1].tools",
    }

    updated = client.mcp.update_config(
        config.id,
        description="both",
        connection_tool_mappings=[mapping("notes", "notes_list"), mapping("toolbox", "echo")],
    )
    assert updated.description == "both"
    assert [m.connection_name for m in updated.connection_tool_mappings] == ["notes", "toolbox"]
    assert client.mcp.get_config(config.id) == updated

    others = [client.mcp.create_config(name=f"{name}-{i}").id for i in range(2)]
    page = client.mcp.list_configs(search=name, page_size=2)
    assert isinstance(page, pb.ListMcpConfigsResponse)
    assert page.total_size == 3
    assert page.next_page_token
    assert [c.id for c in client.mcp.iter_configs(search=name, page_size=1)] == [config.id, *others]
    assert [c.id for c in client.mcp.iter_configs(filter_provider="TOOLBOX", filter_name=name)] == [config.id]
    assert [c.id for c in client.mcp.list_configs(filter_id=others[0]).configs] == [others[0]]
    by_url = client.mcp.list_configs(filter_mcp_server_url=config.mcp_server_url)
    assert [c.id for c in by_url.configs] == [config.id]

    assert isinstance(client.mcp.delete_config(others[0]), pb.DeleteMcpConfigResponse)
    api_error(NotFoundError, lambda: client.mcp.get_config(others[0]), grpc_code="NOT_FOUND")


def test_instances_auth_state_and_links(client: ScalekitClient) -> None:
    name, who = config_name(), unique("user")
    config = client.mcp.create_config(
        name=name, connection_tool_mappings=[mapping("notes", "notes_list"), mapping("toolbox", "echo")]
    )
    instance = client.mcp.ensure_instance(name, who)
    assert isinstance(instance, pb.McpInstance)
    assert (instance.name, instance.user_identifier, instance.config.id) == (f"{name}-{who}", who, config.id)
    assert instance.url.endswith(f"/mcp/instances/{instance.id}")
    assert client.mcp.ensure_instance(name, who).id == instance.id, "one instance per configuration and user"
    assert client.mcp.get_instance(instance.id) == instance

    state = client.mcp.get_instance_auth_state(instance.id)
    assert isinstance(state, pb.GetMcpInstanceAuthStateResponse)
    assert [
        (c.connection_name, c.connected_account_id, c.authentication_link) for c in state.connections
    ] == [
        ("notes", "", ""),
        ("toolbox", "", ""),
    ]
    linked = client.mcp.get_instance_auth_state(instance.id, include_auth_links=True).connections
    assert all(c.connected_account_status == "PENDING_AUTH" and c.authentication_link for c in linked)
    assert approve(linked[0].authentication_link).status_code == 200
    states = client.mcp.list_mcp_connected_accounts(config.id, who)
    assert isinstance(states, pb.ListMcpConnectedAccountsResponse)
    assert [(s.connection_name, s.connected_account_status) for s in states.connected_accounts] == [
        ("notes", "ACTIVE"),
        ("toolbox", "PENDING_AUTH"),
    ]
    assert all(not s.authentication_link for s in states.connected_accounts)
    with_links = client.mcp.list_mcp_connected_accounts(config.id, who, include_auth_link=True)
    assert httpx.get(with_links.connected_accounts[1].authentication_link, timeout=10).status_code == 200

    renamed = client.mcp.update_instance(instance.id, name=f"{name}-renamed")
    assert renamed.name == f"{name}-renamed"
    other = client.mcp.create_config(
        name=config_name(), connection_tool_mappings=[mapping("toolbox", "echo")]
    )
    moved = client.mcp.update_instance(instance.id, config_name=other.name)
    assert moved.config.id == other.id

    second = client.mcp.ensure_instance(name, unique("user"), name=f"{name}-second")
    page = client.mcp.list_instances(filter_config_name=name)
    assert isinstance(page, pb.ListMcpInstancesResponse)
    assert [i.id for i in page.instances] == [second.id]
    assert [i.id for i in client.mcp.iter_instances(filter_user_identifier=who, page_size=1)] == [instance.id]
    assert [i.id for i in client.mcp.iter_instances(search=f"{name}-", filter_id=second.id)] == [second.id]
    assert [i.id for i in client.mcp.list_instances(filter_name=f"{name}-renamed").instances] == [instance.id]
    assert isinstance(client.mcp.delete_instance(instance.id), pb.DeleteMcpInstanceResponse)
    api_error(NotFoundError, lambda: client.mcp.get_instance(instance.id), grpc_code="NOT_FOUND")
    api_error(NotFoundError, lambda: client.mcp.ensure_instance("no-such-config", who), grpc_code="NOT_FOUND")


def test_session_tokens(client: ScalekitClient) -> None:
    config = client.mcp.create_config(
        name=config_name(), connection_tool_mappings=[mapping("notes", "notes_list")]
    )
    minted = client.mcp.create_session_token(
        config.id, "user_1", expiry=timedelta(minutes=15), access_level="READ_ONLY"
    )
    assert isinstance(minted, pb.CreateMcpSessionTokenResponse)
    assert minted.token.startswith("mcp_st_")
    by_connection = client.mcp.create_session_token(None, "user_1", connection_name="notes")
    assert by_connection.token != minted.token
    assert by_connection.expires_at.seconds - minted.expires_at.seconds == pytest.approx(45 * 60, abs=5)
    api_error(
        NotFoundError, lambda: client.mcp.create_session_token("cfg_404", "user_1"), grpc_code="NOT_FOUND"
    )
    api_error(
        NotFoundError,
        lambda: client.mcp.create_session_token(None, "user_1", connection_name="nope"),
        grpc_code="NOT_FOUND",
    )
    api_error(
        BadRequestError,
        lambda: client.mcp.create_session_token(config.id, "user_1", expiry=timedelta(seconds=5)),
        grpc_code="INVALID_ARGUMENT",
    )
    api_error(
        BadRequestError, lambda: client.mcp.create_session_token(None, "user_1"), grpc_code="INVALID_ARGUMENT"
    )
    with pytest.raises(TypeError):
        client.mcp.create_session_token(config.id, "user_1", connection_name="notes")


def test_single_user_servers(client: ScalekitClient) -> None:
    who = unique("user")
    connect(client, "notes", who)
    server = client.mcp.create_mcp(
        connected_account_identifier=who,
        tool_mappings=[
            pb.ToolMapping(connection_name="notes", tool_names=["notes_list"]),
            pb.ToolMapping(connection_name="toolbox", tool_names=["echo"]),
        ],
    )
    assert isinstance(server, pb.Mcp)
    assert server.id.startswith("mcp_")
    assert server.url.endswith(f"/mcp/servers/{server.id}")
    assert [(m.connection_name, m.status) for m in server.tool_mappings] == [
        ("notes", "ACTIVE"),
        ("toolbox", "NOT_CONNECTED"),
    ]
    assert client.mcp.get_mcp(server.id) == server
    listed = client.mcp.list_mcp(connected_account_identifier=who)
    assert isinstance(listed, pb.ListMcpResponse)
    assert [m.id for m in listed.mcps] == [server.id]
    assert [m.id for m in client.mcp.list_mcp(link_token=server.id).mcps] == [server.id]
    api_error(
        BadRequestError,
        lambda: client.mcp.create_mcp(
            mcp=pb.Mcp(
                connected_account_identifier=who, tool_mappings=[pb.ToolMapping(connection_name="zzz")]
            )
        ),
        grpc_code="INVALID_ARGUMENT",
    )
    assert isinstance(client.mcp.delete_mcp(server.id), pb.DeleteMcpResponse)
    api_error(NotFoundError, lambda: client.mcp.get_mcp(server.id), grpc_code="NOT_FOUND")


def rpc(url: str, token: str, method: str, params: dict[str, object] | None = None) -> httpx.Response:
    body = {"jsonrpc": "2.0", "id": 7, "method": method, "params": params or {}}
    return httpx.post(url, json=body, headers={"authorization": f"Bearer {token}"}, timeout=10)


def test_mcp_endpoint_serves_the_configured_tools(client: ScalekitClient, emulator: Emulator) -> None:
    who = unique("user")
    connect(client, "notes", who)
    config = client.mcp.create_config(
        name=config_name(),
        connection_tool_mappings=[mapping("notes", "notes_create", "notes_list"), mapping("toolbox", "echo")],
    )
    url = config.mcp_server_url
    token = client.mcp.create_session_token(config.id, who).token
    assert httpx.post(url, json={}, timeout=10).status_code == 401
    other = client.mcp.create_config(name=config_name())
    assert rpc(url, client.mcp.create_session_token(other.id, who).token, "ping").status_code == 401

    hello = rpc(url, token, "initialize", {"protocolVersion": "2025-03-26"}).json()
    assert hello["id"] == 7
    assert hello["result"]["serverInfo"]["name"] == "scalekit-emulator"
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert (
        httpx.post(url, json=note, headers={"authorization": f"Bearer {token}"}, timeout=10).status_code
        == 202
    )
    listed = rpc(url, token, "tools/list").json()["result"]["tools"]
    assert [t["name"] for t in listed] == ["notes_create", "notes_list", "echo"]
    assert listed[0]["inputSchema"]["required"] == ["title"]

    made = rpc(url, token, "tools/call", {"name": "notes_create", "arguments": {"title": "via mcp"}}).json()
    assert made["result"]["isError"] is False
    assert made["result"]["structuredContent"]["title"] == "via mcp"
    bad = rpc(url, token, "tools/call", {"name": "notes_create", "arguments": {}}).json()["result"]
    assert bad["isError"] is True
    assert "params.title" in bad["content"][0]["text"]
    pending = rpc(url, token, "tools/call", {"name": "echo", "arguments": {"message": "hi"}}).json()["result"]
    assert pending["isError"] is True
    link = pending["content"][0]["text"].rsplit(" ", 1)[1]
    assert link.startswith(f"{emulator.env_url}/agentkit/connect/")
    assert approve(link).status_code == 200
    echoed = rpc(url, token, "tools/call", {"name": "echo", "arguments": {"message": "hi"}}).json()["result"]
    assert echoed["structuredContent"]["echoed"] == ["hi"]
    assert rpc(url, token, "tools/call", {"name": "notes_delete"}).json()["error"]["code"] == -32602
    assert rpc(url, token, "resources/list").json()["error"]["code"] == -32601
    garbage = httpx.post(url, content=b"{", headers={"authorization": f"Bearer {token}"}, timeout=10)
    assert garbage.json()["error"]["code"] == -32700

    read_only = client.mcp.create_session_token(config.id, who, access_level="READ_ONLY").token
    assert [t["name"] for t in rpc(url, read_only, "tools/list").json()["result"]["tools"]] == [
        "notes_list",
        "echo",
    ]
    instance = client.mcp.ensure_instance(config.name, who)
    assert [t["name"] for t in rpc(instance.url, token, "tools/list").json()["result"]["tools"]] == [
        "notes_create",
        "notes_list",
        "echo",
    ]
    stranger = client.mcp.create_session_token(config.id, unique("user")).token
    assert rpc(instance.url, stranger, "ping").status_code == 401
    by_connection = client.mcp.create_session_token(None, who, connection_name="toolbox").token
    tools = rpc(f"{emulator.env_url}/mcp/v3/connections/toolbox", by_connection, "tools/list").json()
    assert [t["name"] for t in tools["result"]["tools"]] == ["calculator_evaluate", "echo", "toolbox_whoami"]
