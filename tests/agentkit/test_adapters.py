"""Tool definitions -> LangChain and MCP tools, executed through a callback (no service involved).

The callbacks here stand in for ``client.actions.execute_tool``; the e2e tests run the adapters
against the emulator.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.protobuf import struct_pb2
from langchain_core.tools import StructuredTool
from mcp import Client

from scalekit_api.v1.tools import tools_pb2
from scalekit_py.agentkit._tooldefs import ToolSpec, spec_from_tool, specs_from_scoped, specs_from_tools
from scalekit_py.agentkit.langchain import structured_tools
from scalekit_py.agentkit.mcp_tools import McpToolset, to_mcp_tool
from scalekit_py.errors import NotFoundError, ScalekitError

SCHEMA = {
    "type": "object",
    "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
    "required": ["query"],
}


def _str(text: str) -> struct_pb2.Value:
    return struct_pb2.Value(string_value=text)


def _tool(name: str | None, **extra: Any) -> tools_pb2.Tool:
    definition = struct_pb2.Struct()
    body: dict[str, Any] = {"description": f"{name} does things", "input_schema": SCHEMA, **extra}
    if name is not None:
        body["name"] = name
    definition.update(body)
    return tools_pb2.Tool(id=f"tool_{name}", provider="GMAIL", definition=definition)


def test_specs_from_listings() -> None:
    [spec] = specs_from_tools([_tool("gmail_search", annotations={"read_only_hint": True})])
    assert spec.name == "gmail_search"
    assert spec.description == "gmail_search does things"
    assert spec.input_schema["required"] == ["query"]
    assert spec.annotations == {"read_only_hint": True}
    assert (spec.provider, spec.connected_account_id) == ("GMAIL", None)
    [scoped] = specs_from_scoped([tools_pb2.ScopedTool(tool=_tool("t"), connected_account_id="ca_1")])
    assert scoped.connected_account_id == "ca_1"
    bare = spec_from_tool(tools_pb2.Tool(definition=struct_pb2.Struct(fields={"name": _str("x")})))
    assert bare.input_schema == {"type": "object", "properties": {}}
    assert bare.description == "x"
    with pytest.raises(ScalekitError, match="has no name"):
        spec_from_tool(_tool(None))


class Recorder:
    def __init__(self, fail: ScalekitError | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any], str | None]] = []
        self.fail = fail

    def __call__(self, spec: ToolSpec, arguments: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        self.calls.append((spec.name, arguments, spec.connected_account_id))
        if self.fail:
            raise self.fail
        return {"echo": arguments}, "exec_1"

    async def acall(self, spec: ToolSpec, arguments: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        return self(spec, arguments)


SPECS = specs_from_scoped([tools_pb2.ScopedTool(tool=_tool("gmail_search"), connected_account_id="ca_9")])


def test_langchain_tools_execute_through_the_callback() -> None:
    rec = Recorder()
    [tool] = structured_tools(SPECS, rec)
    assert isinstance(tool, StructuredTool)
    assert (tool.name, tool.description) == ("gmail_search", "gmail_search does things")
    assert tool.args == SCHEMA["properties"]
    out = tool.invoke({"query": "is:unread", "limit": 3})
    assert json.loads(out) == {"echo": {"query": "is:unread", "limit": 3}, "execution_id": "exec_1"}
    assert rec.calls == [("gmail_search", {"query": "is:unread", "limit": 3}, "ca_9")]


async def test_langchain_async_tools_and_errors_reach_the_agent_as_text() -> None:
    rec = Recorder()
    [tool] = structured_tools(SPECS, rec.acall)
    out = await tool.ainvoke({"query": "x"})
    assert json.loads(out)["echo"] == {"query": "x"}
    failing = Recorder(NotFoundError("connected account not found"))
    [bad] = structured_tools(SPECS, failing)
    assert bad.invoke({"query": "x"}) == "gmail_search failed: connected account not found"
    [sync_bad] = structured_tools(SPECS, lambda s, a: (_ for _ in ()).throw(RuntimeError("bug")))
    with pytest.raises(RuntimeError, match="bug"):  # not an SDK failure: propagates
        sync_bad.invoke({"query": "x"})


def test_mcp_tool_definition() -> None:
    spec = spec_from_tool(
        _tool("t", annotations={"destructiveHint": True, "title": "T", "openWorldHint": False})
    )
    tool = to_mcp_tool(spec)
    assert tool.name == "t"
    assert tool.input_schema == SCHEMA
    assert tool.annotations is not None
    assert (tool.annotations.destructive_hint, tool.annotations.title) == (True, "T")
    assert tool.annotations.open_world_hint is False
    assert tool.annotations.read_only_hint is None
    with pytest.raises(ValueError, match="unique"):
        McpToolset([spec, spec], Recorder())


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_mcp_server_lists_and_calls_tools(flavour: str) -> None:
    rec = Recorder()
    toolset = McpToolset(SPECS, rec if flavour == "sync" else rec.acall)
    async with Client(toolset.server()) as client:
        listed = await client.list_tools()
        assert [t.name for t in listed.tools] == ["gmail_search"]
        result = await client.call_tool("gmail_search", {"query": "q"})
        assert result.is_error is False
        assert result.structured_content == {"echo": {"query": "q"}}
        assert json.loads(result.content[0].text)["execution_id"] == "exec_1"  # type: ignore[union-attr]
        unknown = await client.call_tool("nope", {})
        assert unknown.is_error is True
        assert "unknown tool 'nope'" in unknown.content[0].text  # type: ignore[union-attr]
    assert rec.calls == [("gmail_search", {"query": "q"}, "ca_9")]


async def test_mcp_sdk_failures_are_error_results() -> None:
    toolset = McpToolset(SPECS, Recorder(NotFoundError("account is not active")))
    result = await toolset.call_tool("gmail_search", {"query": "q"})
    assert result.is_error is True
    assert result.content[0].text == "gmail_search failed: account is not active"  # type: ignore[union-attr]


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_google_adk_tools(flavour: str) -> None:
    from scalekit_py.agentkit.google_adk import ScalekitAdkTool, adk_tools

    rec = Recorder()
    [tool] = adk_tools(SPECS, rec if flavour == "sync" else rec.acall)
    assert isinstance(tool, ScalekitAdkTool)
    declaration = tool._get_declaration()
    assert declaration is not None
    assert (declaration.name, declaration.parameters_json_schema) == ("gmail_search", SCHEMA)
    out = await tool.run_async(args={"query": "q"}, tool_context=None)
    assert out == {"echo": {"query": "q"}, "execution_id": "exec_1"}
    [failing] = adk_tools(SPECS, Recorder(NotFoundError("account is not active")))
    assert await failing.run_async(args={}, tool_context=None) == {
        "error": "gmail_search failed: account is not active"
    }


def test_frameworks_are_imported_only_by_their_adapters() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from scalekit_py import ScalekitClient\n"
        "c = ScalekitClient('http://127.0.0.1:9', 'id', 'secret')\n"
        "a = c.actions, c.actions.langchain, c.actions.google, c.actions.mcp_tools\n"
        "mods = ('langchain_core', 'mcp', 'google.adk', 'scalekit_py.agentkit.langchain')\n"
        "print(','.join(m for m in mods if m in sys.modules))\n"
        "import scalekit_py.agentkit.langchain\n"
        "print('langchain_core' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["", "True"]
