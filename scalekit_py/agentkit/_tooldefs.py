"""Tool definitions as plain data, for the framework adapters (pure; no framework imported here).

The ToolService list RPCs return ``scalekit_api.v1.tools.Tool`` messages whose ``definition`` Struct
carries ``name``, ``description``, ``input_schema`` (a JSON Schema object) and optional
``annotations``; ``ListScopedTools`` adds the connected account each tool runs for. :class:`ToolSpec` is
that, decoded once, so the LangChain and MCP adapters share one reading of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scalekit_py.errors import ScalekitError

if TYPE_CHECKING:
    from scalekit_api.v1.tools import tools_pb2

__all__ = ["ToolSpec", "result_text", "specs_from_scoped", "specs_from_tools"]


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
