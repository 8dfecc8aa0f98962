"""Scalekit tools as MCP tools (optional extra ``mcp``: ``pip install 'scalekit-py[mcp]'``).

Importing this module imports the ``mcp`` package; nothing else in the SDK does. Use it through
``client.actions.mcp_tools.get_toolset(identifier=...)``, which lists the tools scoped to a user and
returns a :class:`McpToolset`: ``tools()`` gives ``mcp.types.Tool`` definitions, ``call_tool(name, args)``
executes one through the actions client (modifiers apply) and ``server()`` builds an MCP server
(``mcp.server.lowlevel.Server``) that serves exactly these tools over any MCP transport.

A failed execution (unknown tool, invalid input, inactive account, upstream failure) becomes a
``CallToolResult`` with ``is_error=True`` and the SDK's message, as MCP asks tool errors to be reported;
other exceptions propagate.
"""

from __future__ import annotations

from typing import Any

try:
    import anyio.to_thread
    from mcp import types
    from mcp.server.lowlevel import Server
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("scalekit_py.agentkit.mcp_tools needs mcp: pip install 'scalekit-py[mcp]'") from exc

from scalekit_py.agentkit._tooldefs import Execute, Outcome, ToolSpec, result_text, run_execute
from scalekit_py.errors import ScalekitError

__all__ = ["McpToolset", "to_mcp_tool"]


_HINTS = ("title", "read_only_hint", "destructive_hint", "idempotent_hint", "open_world_hint")


def to_mcp_tool(spec: ToolSpec) -> types.Tool:
    """The MCP definition of one tool (its JSON Schema as ``inputSchema``, hints as annotations)."""
    hints = {k: spec.annotations[k] for k in _HINTS if spec.annotations.get(k) is not None}
    return types.Tool(
        name=spec.name,
        description=spec.description,
        input_schema=spec.input_schema,
        annotations=types.ToolAnnotations(**hints) if hints else None,
    )


class McpToolset:
    """A fixed set of tools and the callback that executes them.

    Args:
        specs: the tools (names must be unique).
        execute: ``(spec, arguments) -> (data, execution_id)``; a blocking callable runs in a worker
            thread, a coroutine function is awaited.
    """

    def __init__(self, specs: list[ToolSpec], execute: Execute) -> None:
        self._specs = {s.name: s for s in specs}
        if len(self._specs) != len(specs):
            raise ValueError("tool names must be unique within a toolset")
        self._execute = execute

    @property
    def specs(self) -> list[ToolSpec]:
        """The tools, in listing order."""
        return list(self._specs.values())

    def tools(self) -> list[types.Tool]:
        """The MCP tool definitions."""
        return [to_mcp_tool(s) for s in self._specs.values()]

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> types.CallToolResult:
        """Execute ``name`` with ``arguments``; SDK failures come back as an error result."""
        spec = self._specs.get(name)
        if spec is None:
            return _error(f"unknown tool {name!r}; this toolset has: {', '.join(self._specs) or 'none'}")
        try:
            outcome = await self._run(spec, dict(arguments or {}))
        except ScalekitError as exc:
            return _error(f"{name} failed: {exc}")
        data, execution_id = outcome
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=result_text(data, execution_id))],
            structured_content=data,
            is_error=False,
        )

    async def _run(self, spec: ToolSpec, arguments: dict[str, Any]) -> Outcome:
        return await run_execute(self._execute, spec, arguments, anyio.to_thread.run_sync)

    def server(self, name: str = "scalekit", version: str = "") -> Server[Any]:
        """An MCP server that lists and calls exactly these tools."""

        async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
            return types.ListToolsResult(tools=self.tools())

        async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
            return await self.call_tool(params.name, params.arguments)

        return Server(name, version=version, on_list_tools=list_tools, on_call_tool=call_tool)


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)
