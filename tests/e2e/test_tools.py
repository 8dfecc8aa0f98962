"""``client.tools`` against the emulator's AgentKit, in both flavours: the catalogue (list, filters,
scoped and available tools, search, pagers), created tools, execution of the built-in tools with schema
checks, account checks and tool errors, and HTTP-backed tools of a custom provider on a loopback
upstream."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.tools import tools_pb2 as pb
from scalekit_py import RetryPolicy
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
)
from tests.e2e._agentkit import as_dict, connect, struct, tool_error
from tests.e2e._support import api_error, returns_none, unique
from tests.e2e._upstream import Upstream, upstream

NOTES_TOOLS = ["notes_create", "notes_list", "notes_get", "notes_delete"]


def names(tools: Iterable[pb.Tool]) -> list[str]:
    return [str(as_dict(t.definition)["name"]) for t in tools]


@pytest.fixture(scope="module")
def api(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    ca_dir = tmp_path_factory.mktemp("upstream-ca")
    with upstream(ca_dir) as up:
        emulator.state.upstream_ca_file = str(ca_dir / "ca.pem")
        yield up


def test_catalogue_filters_and_pagers(client: ScalekitClient) -> None:
    notes = client.tools.list_tools(provider="NOTES")
    assert isinstance(notes, pb.ListToolsResponse)
    assert names(notes.tools) == NOTES_TOOLS
    schema = as_dict(notes.tools[0].definition)["input_schema"]
    assert schema["type"] == "object"
    assert "title" in schema["required"]
    assert notes.tools[0].is_default.value is True
    summary = client.tools.list_tools(provider="NOTES", summary=True)
    assert list(summary.tool_names) == NOTES_TOOLS
    assert not summary.tools
    assert names(client.tools.list_tools(tool_names=["echo", "notes_get"]).tools) == ["notes_get", "echo"]
    assert names(client.tools.list_tools(query="arithmetic").tools) == ["calculator_evaluate"]
    assert names(client.tools.list_tools(connector="toolbox", filter=pb.Filter(query="echo")).tools) == [
        "echo"
    ]

    page = client.tools.list_tools(page_size=3)
    assert len(page.tools) == 3
    assert page.next_page_token
    assert page.total_size >= 7
    every = list(client.tools.iter_tools(page_size=2))
    assert len(every) == page.total_size
    assert names(every)[:7] == [*NOTES_TOOLS, "calculator_evaluate", "echo", "toolbox_whoami"]


def test_scoped_available_and_search(client: ScalekitClient) -> None:
    who = unique("user")
    assert client.tools.list_available_tools(who).tools == []
    account = connect(client, "notes", who)
    client.connected_accounts.create_connected_account("toolbox", who)  # pending: not available yet

    available = client.tools.list_available_tools(who)
    assert isinstance(available, pb.ListAvailableToolsResponse)
    assert names(available.tools) == NOTES_TOOLS
    assert names(client.tools.iter_available_tools(who, page_size=3)) == NOTES_TOOLS

    scoped = client.tools.list_scoped_tools(who, tool_names=["notes_get", "notes_list"])
    assert isinstance(scoped, pb.ListScopedToolsResponse)
    assert [
        (as_dict(s.tool.definition)["name"], s.connected_account_id, s.identifier) for s in scoped.tools
    ] == [
        ("notes_list", account.id, who),
        ("notes_get", account.id, who),
    ]
    assert len(list(client.tools.iter_scoped_tools(who, connection_names=["notes"], page_size=1))) == 4
    assert list(client.tools.iter_scoped_tools(who, providers=["TOOLBOX"])) == []

    found = client.tools.search_tools("create a note", identifier=who, top_k=2)
    assert isinstance(found, pb.SearchToolsResponse)
    best = found.tools[0]
    assert (best.name, best.provider) == ("notes_create", "NOTES")
    assert len(found.tools) == 2
    assert best.score >= found.tools[1].score
    assert [(c.connection_name, c.readiness_state) for c in best.connections] == [
        ("notes", pb.TOOL_READINESS_STATE_READY)
    ]
    pending = client.tools.search_tools("echo message", identifier=who).tools[0]
    assert pending.name == "echo"
    assert pending.connections[0].readiness_state == pb.TOOL_READINESS_STATE_NEEDS_CONNECTION
    assert not client.tools.search_tools("echo message").tools[0].connections
    api_error(
        BadRequestError, lambda: client.tools.search_tools("echo", top_k=51), grpc_code="INVALID_ARGUMENT"
    )


def test_execute_builtin_tools(client: ScalekitClient) -> None:
    who = unique("user")
    connect(client, "notes", who)
    connect(client, "toolbox", who)
    created = client.tools.execute_tool(
        "notes_create",
        who,
        params={"title": "Plan", "body": "ship it", "tags": ["work"]},
        agent_run_id="run_1",
    )
    assert isinstance(created, pb.ExecuteToolResponse)
    assert created.execution_id.startswith("exec_")
    note_id = created.data["id"]
    client.tools.execute_tool("notes_create", who, params={"title": "Other"})
    assert as_dict(client.tools.execute_tool("notes_list", who, params={"tag": "work"}).data)["count"] == 1
    assert (
        as_dict(client.tools.execute_tool("notes_get", who, params={"note_id": note_id}).data)["body"]
        == "ship it"
    )
    assert (
        as_dict(client.tools.execute_tool("notes_delete", who, params={"note_id": note_id}).data)["deleted"]
        is True
    )
    err = tool_error(
        lambda: client.tools.execute_tool("notes_get", who, params={"note_id": note_id}),
        grpc_code="FAILED_PRECONDITION",
    )
    assert (err.tool_error_code, err.tool_error_message) == ("NOTE_NOT_FOUND", f"no note {note_id!r}")

    assert (
        as_dict(client.tools.execute_tool("calculator_evaluate", who, params={"expression": "(2+3)*4"}).data)[
            "result"
        ]
        == 20
    )
    zero = tool_error(
        lambda: client.tools.execute_tool("calculator_evaluate", who, params={"expression": "1/0"}),
        grpc_code="FAILED_PRECONDITION",
    )
    assert zero.tool_error_code == "DIVISION_BY_ZERO"
    echoed = client.tools.execute_tool(
        "echo", who, params={"message": "hi", "repeat": 2}, connector="toolbox"
    )
    assert as_dict(echoed.data)["echoed"] == ["hi", "hi"]
    toolbox_id = client.connected_accounts.get_connected_account_details_by_identifier("toolbox", who).id
    whoami = as_dict(client.tools.execute_tool("toolbox_whoami", connected_account_id=toolbox_id).data)
    assert (whoami["identifier"], whoami["connected_account_id"]) == (who, toolbox_id)
    assert len(whoami["token_fingerprint"]) == 12


def test_execute_checks_input_tool_and_account(client: ScalekitClient) -> None:
    who = unique("user")
    api_error(NotFoundError, lambda: client.tools.execute_tool("no_such_tool", who), grpc_code="NOT_FOUND")
    err = api_error(
        BadRequestError,
        lambda: client.tools.execute_tool(
            "notes_create", who, params={"title": "", "tags": [1], "extra": True}
        ),
        grpc_code="INVALID_ARGUMENT",
    )
    assert {v.field for v in err.field_violations} == {"params.title", "params.tags[0]", "params.extra"}
    missing = api_error(
        BadRequestError,
        lambda: client.tools.execute_tool("echo", who, params={}),
        grpc_code="INVALID_ARGUMENT",
    )
    assert [(v.field, v.constraint) for v in missing.field_violations] == [("params.message", "required")]
    api_error(
        NotFoundError,
        lambda: client.tools.execute_tool("echo", who, params={"message": "x"}),
        grpc_code="NOT_FOUND",
    )
    client.connected_accounts.create_connected_account("toolbox", who)
    api_error(
        PreconditionFailedError,
        lambda: client.tools.execute_tool("echo", who, params={"message": "x"}),
        grpc_code="FAILED_PRECONDITION",
        error_code="CONNECTED_ACCOUNT_NOT_ACTIVE",
    )
    notes = connect(client, "notes", who)
    api_error(
        BadRequestError,
        lambda: client.tools.execute_tool("echo", params={"message": "x"}, connected_account_id=notes.id),
        grpc_code="INVALID_ARGUMENT",
    )


def test_created_tools_and_http_backed_execution(
    client: ScalekitClient, emulator: Emulator, api: Upstream
) -> None:
    tag = unique("crm")
    provider = client.providers.create_custom_provider(
        tag.replace("_", " "),
        proxy_url=api.url,
        proxy_enabled=True,
        auth_patterns=[{"type": "BEARER", "display_name": "Token", "fields": [{"field_name": "token"}]}],
    )
    connector = provider.identifier.lower()
    definition: dict[str, Any] = {
        "name": f"{tag}_get_item",
        "description": "Read an item",
        "input_schema": {
            "type": "object",
            "properties": {"item_id": {"type": "string"}, "verbose": {"type": "boolean"}},
            "required": ["item_id"],
        },
        "x-http": {"method": "GET", "path": "/items/{item_id}"},
    }
    tool = client.tools.create_tool(provider=provider.identifier, definition=definition, tags=["crm"])
    assert tool.id.startswith("tol_")
    assert tool.provider == provider.identifier
    api_error(
        ConflictError,
        lambda: client.tools.create_tool(provider=provider.identifier, definition=definition),
        grpc_code="ALREADY_EXISTS",
    )
    api_error(
        NotFoundError,
        lambda: client.tools.create_tool(tool=pb.Tool(provider="NOPE", definition=tool.definition)),
        grpc_code="NOT_FOUND",
    )
    api_error(
        BadRequestError, lambda: client.tools.create_tool(provider="NOTES"), grpc_code="INVALID_ARGUMENT"
    )

    who = unique("user")
    client.connected_accounts.create_connected_account(
        connector,
        who,
        authorization_details=ca_pb.AuthorizationDetails(
            static_auth=ca_pb.StaticAuth(details=struct({"token": f"tok-{tag}"}))
        ),
    )
    out = client.tools.execute_tool(definition["name"], who, params={"item_id": "a/b", "verbose": True})
    echo = as_dict(out.data)["body"]["echo"]
    assert as_dict(out.data)["status"] == 200
    assert (echo["method"], echo["path"], echo["query"]) == ("GET", "/api/items/a%2Fb", "verbose=true")
    assert echo["headers"]["authorization"] == f"Bearer tok-{tag}"

    failing = client.tools.update_tool(
        tool.id,
        definition={**definition, "x-http": {"method": "POST", "path": "/status/429"}},
        tags=["crm", "x"],
    )
    assert list(failing.tags) == ["crm", "x"]
    # A policy that would retry RESOURCE_EXHAUSTED writes: a tool's own failure is still sent once.
    eager = RetryPolicy(
        retryable_codes=frozenset({"RESOURCE_EXHAUSTED"}), retry_writes=True, initial_backoff=0.01
    )
    path = "/scalekit.v1.tools.ToolService/ExecuteTool"
    before, upstream_before = (
        emulator.counters.rpcs(method=path, code="RESOURCE_EXHAUSTED"),
        len(api.requests),
    )
    limited = tool_error(
        lambda: client.tools.execute_tool(definition["name"], who, params={"item_id": "1"}, retry=eager),
        grpc_code="RESOURCE_EXHAUSTED",
    )
    assert emulator.counters.rpcs(method=path, code="RESOURCE_EXHAUSTED") == before + 1, "never retried"
    assert len(api.requests) == upstream_before + 1
    assert limited.tool_error_code == "HTTP_429"
    assert json.loads(limited.tool_error_message or "{}") == {"error": "upstream says 429"}
    assert api.requests[-1]["method"] == "POST"
    assert json.loads(api.requests[-1]["body"]) == {"item_id": "1"}

    default = client.tools.set_tool_default(definition["name"], schema_version="1", tool_version="2")
    assert default.is_default.value
    assert default.metadata["tool_version"] == "2"
    refreshed = client.tools.refresh_tools(identifier=who, connector=connector)
    assert isinstance(refreshed, pb.RefreshToolsResponse)
    assert names(refreshed.tools) == [definition["name"]]
    assert refreshed.total_size == 1
    returns_none(lambda: client.tools.delete_tool(tool.id))
    api_error(NotFoundError, lambda: client.tools.delete_tool(tool.id), grpc_code="NOT_FOUND")
    api_error(
        PreconditionFailedError,
        lambda: client.tools.update_tool("tol_echo", definition={"name": "echo"}),
        grpc_code="FAILED_PRECONDITION",
    )
    api_error(
        NotFoundError,
        lambda: client.tools.set_tool_default("no_such_tool", schema_version="1", tool_version="1"),
        grpc_code="NOT_FOUND",
    )
