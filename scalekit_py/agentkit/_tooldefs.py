"""Tool definitions as plain data, for the framework adapters (pure; no framework imported here).

The ToolService list RPCs return ``scalekit_api.v1.tools.Tool`` messages whose ``definition`` Struct
carries ``name``, ``description``, ``input_schema`` (a JSON Schema object) and optional
``annotations``; ``ListScopedTools`` adds the connected account each tool runs for. :class:`ToolSpec` is
that, decoded once, so the LangChain and MCP adapters share one reading of it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from scalekit_py.errors import ScalekitError

if TYPE_CHECKING:
    from scalekit_api.v1.tools import tools_pb2

__all__ = [
    "Execute",
    "Framework",
    "Outcome",
    "ScopedToolFilters",
    "ToolSpec",
    "build_tools",
    "result_text",
    "run_execute",
    "specs_from_scoped",
    "specs_from_tools",
]


class ScopedToolFilters(TypedDict, total=False):
    """Filters of a scoped tool listing (``ListScopedTools``), besides the identifier."""

    providers: Sequence[str] | None
    tool_names: Sequence[str] | None
    connection_names: Sequence[str] | None
    page_size: int | None
    page_token: str | None


@dataclass(frozen=True)
class ToolSpec:
    """One executable tool.

    Attributes:
        name: the tool name ``execute_tool`` takes.
        description: what the tool does (shown to the model).
        input_schema: JSON Schema of the input (an ``object`` schema).
        annotations: MCP-style hints (``read_only_hint``, ``destructive_hint``, ...), keys in snake_case.
        provider: the provider the tool belongs to, e.g. ``"GMAIL"``.
        connected_account_id: the account the tool runs for (scoped listings), else ``None``.
    """

    name: str
    description: str
    input_schema: dict[str, Any] = field(repr=False)
    annotations: dict[str, Any] = field(default_factory=dict, repr=False)
    provider: str = ""
    connected_account_id: str | None = None


def _definition(tool: tools_pb2.Tool) -> dict[str, Any]:
    from google.protobuf.json_format import MessageToDict

    if not tool.HasField("definition"):
        return {}
    return MessageToDict(tool.definition, preserving_proto_field_name=True)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _annotations(raw: Any) -> dict[str, Any]:
    """Annotation hints with snake_case keys (definitions carry ``readOnlyHint`` or ``read_only_hint``)."""
    return {_snake(str(k)): v for k, v in raw.items()} if isinstance(raw, Mapping) else {}


def _schema(raw: Any) -> dict[str, Any]:
    schema = dict(raw) if isinstance(raw, Mapping) else {}
    schema.setdefault("type", "object")
    schema.setdefault("properties", {})
    return schema


def spec_from_tool(tool: tools_pb2.Tool, connected_account_id: str | None = None) -> ToolSpec:
    """The :class:`ToolSpec` of one ``Tool`` message.

    Raises:
        ScalekitError: the definition has no name (such a tool cannot be executed by name).
    """
    definition = _definition(tool)
    name = definition.get("name")
    if not isinstance(name, str) or not name:
        raise ScalekitError(
            f"tool {tool.id or '(no id)'} of provider {tool.provider!r} has no name in its definition"
        )
    description = definition.get("description")
    return ToolSpec(
        name=name,
        description=description if isinstance(description, str) and description else name,
        input_schema=_schema(definition.get("input_schema")),
        annotations=_annotations(definition.get("annotations")),
        provider=tool.provider,
        connected_account_id=connected_account_id or None,
    )


def specs_from_tools(tools: Iterable[tools_pb2.Tool]) -> list[ToolSpec]:
    """Specs of ``ListToolsResponse.tools``."""
    return [spec_from_tool(t) for t in tools]


def specs_from_scoped(scoped: Iterable[tools_pb2.ScopedTool]) -> list[ToolSpec]:
    """Specs of ``ListScopedToolsResponse.tools``, each bound to its connected account."""
    return [spec_from_tool(s.tool, s.connected_account_id) for s in scoped]


def result_text(data: Mapping[str, Any], execution_id: str | None = None) -> str:
    """A tool result as the JSON text a model reads (the execution id included when known)."""
    payload = dict(data)
    if execution_id:
        payload.setdefault("execution_id", execution_id)
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)


Outcome = tuple[dict[str, Any], "str | None"]
Execute = Callable[[ToolSpec, dict[str, Any]], "Outcome | Awaitable[Outcome]"]
"""Runs a tool for its spec's account: ``(spec, arguments) -> (result data, execution id)``; a blocking
callable or a coroutine function (the actions client's ``_run_spec``)."""


async def run_execute(
    execute: Execute,
    spec: ToolSpec,
    arguments: dict[str, Any],
    to_thread: Callable[..., Awaitable[Any]] = asyncio.to_thread,
) -> tuple[dict[str, Any], str | None]:
    """Await ``execute`` when it is a coroutine function, else run it in a worker thread."""
    if inspect.iscoroutinefunction(execute):
        outcome: Any = await execute(spec, arguments)
    else:
        outcome = await to_thread(execute, spec, arguments)
    data, execution_id = outcome
    return dict(data), execution_id


Framework = Literal["langchain", "google", "mcp"]


def build_tools(framework: Framework, specs: list[ToolSpec], execute: Execute) -> list[Any]:
    """The framework's tool objects for ``specs`` (importing that framework's adapter only now).

    ``langchain``: ``StructuredTool``; ``google``: ADK ``BaseTool``; ``mcp``: ``mcp.types.Tool``.

    Raises:
        ImportError: the framework's package (its extra) is not installed.
    """
    if framework == "langchain":
        from scalekit_py.agentkit.langchain import structured_tools

        return list(structured_tools(specs, execute))
    if framework == "google":
        from scalekit_py.agentkit.google_adk import adk_tools

        return list(adk_tools(specs, execute))
    from scalekit_py.agentkit.mcp_tools import McpToolset

    return list(McpToolset(specs, execute).tools())
