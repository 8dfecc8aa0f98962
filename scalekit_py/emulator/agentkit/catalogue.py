"""The provider and tool catalogue: built-in connectors (in code) plus the providers and tools created
through the API (in the store).

Built-in connectors run locally and deterministically:

============  ===========  ==================================================================
provider      connector    tools
============  ===========  ==================================================================
``NOTES``     ``notes``    ``notes_create``, ``notes_list``, ``notes_get``, ``notes_delete``
                           (a notes store per connected account)
``TOOLBOX``   ``toolbox``  ``calculator_evaluate``, ``echo``, ``toolbox_whoami``
============  ===========  ==================================================================

Both authorize with OAuth through the emulator's consent page. A provider's *connector* (the
connection name that connected accounts, tools and the proxy use) is its identifier in lower case;
its connection id is ``conn_ak_<connector>``.

Lookups never read a whole list: built-ins are searched in memory, created providers by their unique
``identifier`` key or the list index (``connector:<name>``, both connection names), created tools by their
unique ``name`` key or the index (``provider:<P>``); see :mod:`scalekit_py.emulator.indexes`. The catalogue
list RPCs chain the built-ins with those index lists (:mod:`.paging`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf import json_format, struct_pb2
from google.protobuf.message import Message

from scalekit_api.v1.providers import providers_pb2
from scalekit_api.v1.tools import tools_pb2
from scalekit_py.emulator.store import Match, Tx

__all__ = [
    "BUILTIN_PROVIDERS",
    "BUILTIN_TOOLS",
    "DEFAULT_TOOLS",
    "PROVIDER_KIND",
    "TOOL_KIND",
    "all_tools",
    "auth_pattern",
    "connection_id",
    "connector_of",
    "definition",
    "provider_for_connector",
    "provider_named",
    "search_text",
    "tool_name",
    "tool_named",
    "tools_of",
]

PROVIDER_KIND = "ak_provider"
TOOL_KIND = "ak_tool"

M = TypeVar("M", bound=Message)


def copy(msg: M) -> M:
    """A deep copy of a message (the built-ins are shared)."""
    out = type(msg)()
    out.CopyFrom(msg)
    return out


def _struct(data: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(data)
    return out


def _patterns(*patterns: dict[str, Any]) -> struct_pb2.ListValue:
    out = struct_pb2.ListValue()
    for pattern in patterns:
        out.add_struct().update(pattern)
    return out


def _builtin(identifier: str, name: str, description: str, category: str) -> providers_pb2.Provider:
    return providers_pb2.Provider(
        id=f"prv_{identifier.lower()}",
        identifier=identifier,
        display_name=name,
        description=description,
        categories=[category],
        auth_patterns=_patterns({"type": "OAUTH", "display_name": f"{name} OAuth", "fields": []}),
        display_priority=100,
        metadata={"emulator": "built-in"},
    )


BUILTIN_PROVIDERS: tuple[providers_pb2.Provider, ...] = (
    _builtin("NOTES", "Notes", "Notes of the connected user (emulated, stored locally).", "productivity"),
    _builtin("TOOLBOX", "Toolbox", "Calculator, echo and identity tools (emulated).", "utilities"),
)

_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
_NOTE_ID = {
    "type": "object",
    "properties": {"note_id": _TEXT},
    "required": ["note_id"],
    "additionalProperties": False,
}


def _tool(
    provider: str, name: str, description: str, schema: dict[str, Any], read_only: bool
) -> tools_pb2.Tool:
    return tools_pb2.Tool(
        id=f"tol_{name}",
        provider=provider,
        definition=_struct(
            {
                "name": name,
                "description": description,
                "input_schema": schema,
                "annotations": {"readOnlyHint": read_only},
            }
        ),
        metadata=_struct({"emulator": "built-in"}),
        tags=[provider.lower(), "read" if read_only else "write"],
    )


BUILTIN_TOOLS: tuple[tools_pb2.Tool, ...] = (
    _tool(
        "NOTES",
        "notes_create",
        "Create a note with a title, a body and tags.",
        {
            "type": "object",
            "properties": {
                "title": _TEXT,
                "body": {"type": "string", "maxLength": 10000},
                "tags": {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": 10},
            },
            "required": ["title"],
            "additionalProperties": False,
        },
        False,
    ),
    _tool(
        "NOTES",
        "notes_list",
        "List the notes, newest first, optionally only those with a tag.",
        {
            "type": "object",
            "properties": {
                "tag": {"type": "string"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 100},
            },
            "additionalProperties": False,
        },
        True,
    ),
    _tool("NOTES", "notes_get", "Read one note by id.", _NOTE_ID, True),
    _tool("NOTES", "notes_delete", "Delete one note by id.", _NOTE_ID, False),
    _tool(
        "TOOLBOX",
        "calculator_evaluate",
        "Evaluate an arithmetic expression (+ - * / // % ** and parentheses).",
        {
            "type": "object",
            "properties": {"expression": {"type": "string", "minLength": 1, "maxLength": 200}},
            "required": ["expression"],
            "additionalProperties": False,
        },
        True,
    ),
    _tool(
        "TOOLBOX",
        "echo",
        "Send the message back, repeated.",
        {
            "type": "object",
            "properties": {
                "message": {"type": "string", "maxLength": 1000},
                "repeat": {"type": "integer", "minimum": 1, "maximum": 10},
            },
            "required": ["message"],
            "additionalProperties": False,
        },
        True,
    ),
    _tool(
        "TOOLBOX",
        "toolbox_whoami",
        "Who the connected account is, and a fingerprint of the third-party token used.",
        {"type": "object", "properties": {}, "additionalProperties": False},
        True,
    ),
)


def provider_named(tx: Tx, identifier: str) -> providers_pb2.Provider | None:
    """The provider with this identifier (case-insensitive; stored identifiers are upper case, a unique
    key of the store)."""
    wanted = identifier.upper()
    builtin = next((p for p in BUILTIN_PROVIDERS if p.identifier.upper() == wanted), None)
    if builtin is not None:
        return copy(builtin)
    return tx.find(PROVIDER_KIND, "identifier", wanted, providers_pb2.Provider)


def connector_of(provider: providers_pb2.Provider) -> str:
    """The connection name of a provider (its identifier in lower case)."""
    return provider.identifier.lower()


def connection_id(provider: providers_pb2.Provider) -> str:
    return f"conn_ak_{connector_of(provider)}"[:32]


def provider_for_connector(tx: Tx, connector: str) -> providers_pb2.Provider | None:
    """The provider behind a connection name (or connection id), case-insensitive: the first one in
    catalogue order (an index read: each stored provider is listed under both of its names)."""
    wanted = connector.lower()
    for provider in BUILTIN_PROVIDERS:
        if wanted in (connector_of(provider), connection_id(provider).lower()):
            return copy(provider)
    found = tx.select(PROVIDER_KIND, providers_pb2.Provider, Match(f"connector:{wanted}"))
    return found[0] if found else None


def auth_pattern(provider: providers_pb2.Provider) -> dict[str, Any]:
    """The provider's first auth pattern (``{"type": "OAUTH"}`` when it declares none)."""
    for item in provider.auth_patterns.values:
        if item.HasField("struct_value"):
            pattern = json_format.MessageToDict(item.struct_value)
            if isinstance(pattern.get("type"), str):
                return pattern
    return {"type": "OAUTH"}


def definition(tool: tools_pb2.Tool) -> dict[str, Any]:
    """A tool's definition as a dict (``name``, ``description``, ``input_schema``, ...)."""
    return json_format.MessageToDict(tool.definition)


def tool_name(tool: tools_pb2.Tool) -> str:
    return str(definition(tool).get("name", ""))


def search_text(tool: tools_pb2.Tool) -> str:
    """What ``ListTools(query=...)`` looks in, lower-cased: name, description, tags and provider."""
    d = definition(tool)
    return f"{d.get('name', '')} {d.get('description', '')} {' '.join(tool.tags)} {tool.provider}".lower()


def _as_default(tool: tools_pb2.Tool) -> tools_pb2.Tool:
    out = copy(tool)
    out.is_default.value = True
    return out


DEFAULT_TOOLS: tuple[tools_pb2.Tool, ...] = tuple(_as_default(t) for t in BUILTIN_TOOLS)
"""The built-in tools as listed (``is_default`` set). Shared: copy one before changing it."""


def all_tools(tx: Tx) -> list[tools_pb2.Tool]:
    """Built-in tools first (``is_default`` set), then the created ones in creation order (reads every
    stored tool: for search; the list RPCs page on the index)."""
    return [*(copy(t) for t in DEFAULT_TOOLS), *tx.all(TOOL_KIND, tools_pb2.Tool)]


def tools_of(tx: Tx, provider: str) -> list[tools_pb2.Tool]:
    """The tools of one provider (case-insensitive), built-ins first: an index read."""
    wanted = provider.upper()
    builtins = [copy(t) for t in DEFAULT_TOOLS if t.provider.upper() == wanted]
    return [*builtins, *tx.select(TOOL_KIND, tools_pb2.Tool, Match(f"provider:{wanted}"))]


def tool_named(tx: Tx, name: str) -> tools_pb2.Tool | None:
    """The tool called ``name``: a built-in, else the created one (names are unique across both: a
    unique key of the store for the created ones)."""
    builtin = next((t for t in DEFAULT_TOOLS if tool_name(t) == name), None)
    if builtin is not None:
        return copy(builtin)
    return tx.find(TOOL_KIND, "name", name, tools_pb2.Tool)
