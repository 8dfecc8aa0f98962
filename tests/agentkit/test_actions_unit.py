"""``client.actions`` logic over fake facades: modifiers around executions, argument checks, the
get-or-create (upsert) decisions including a lost create race, and the names of the official SDK."""

from __future__ import annotations

import inspect
from typing import Any, cast

import pytest
from google.protobuf import json_format, struct_pb2

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.tools import tools_pb2
from scalekit_py.agentkit.modifiers import Modifier
from scalekit_py.errors import ConflictError, NotFoundError
from scalekit_py.services._async.actions import AsyncActionClient
from scalekit_py.services._sync._proxy import ProxyClient
from scalekit_py.services._sync.actions import ActionClient


class FakeTools:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def execute_tool(
        self, tool_name: str, identifier: str | None = None, **kw: Any
    ) -> tools_pb2.ExecuteToolResponse:
        self.calls.append({"tool_name": tool_name, "identifier": identifier, **kw})
        data = struct_pb2.Struct()
        data.update({"received": dict(kw["params"]), "n": 1})
        return tools_pb2.ExecuteToolResponse(data=data, execution_id="exec_7")


class FakeAccounts:
    def __init__(self, existing: bool, race: bool = False) -> None:
        self.existing, self.race = existing, race
        self.calls: list[str] = []

    def get_connected_account_details_by_identifier(self, *a: Any, **kw: Any) -> ca_pb.ConnectedAccount:
        self.calls.append("get")
        if not self.existing:
            raise NotFoundError("no such account")
        return ca_pb.ConnectedAccount(id="ca_1", status=ca_pb.PENDING_AUTH)

    def create_connected_account(self, connector: str, identifier: str, **kw: Any) -> ca_pb.ConnectedAccount:
        self.calls.append("create")
        if self.race:
            self.existing = True  # someone else created it meanwhile
            raise ConflictError("exists")
        self.existing = True
        return ca_pb.ConnectedAccount(id="ca_new", authorization_details=kw["authorization_details"])

    def update_connected_account(self, connector: str, identifier: str, **kw: Any) -> ca_pb.ConnectedAccount:
        self.calls.append("update")
        return ca_pb.ConnectedAccount(
            id="ca_1", status=ca_pb.ACTIVE, authorization_details=kw["authorization_details"]
        )


class Facades:
    def __init__(self, accounts: FakeAccounts | None = None) -> None:
        self.tools = FakeTools()
        self.connected_accounts = accounts or FakeAccounts(existing=True)
        self.mcp = object()
        self.providers = object()


def _actions(facades: Facades) -> ActionClient:
    return ActionClient(cast(Any, facades), cast(ProxyClient, None))


def test_execute_applies_pre_then_post_modifiers_in_order() -> None:
    facades = Facades()
    actions = _actions(facades)

    @actions.pre_modifier(tool_names="notes_create")
    def add_tag(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "tags": ["agent"]}

    @actions.pre_modifier(tool_names=["notes_create", "other"])
    def title_case(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "title": data["title"].title(), "saw_tags": "tags" in data}

    @actions.post_modifier(tool_names="notes_create")
    def summarize(data: dict[str, Any]) -> dict[str, Any]:
        return {"title": data["received"]["title"], "count": data["n"]}

    given = {"title": "hello world"}
    out = actions.execute_tool(
        tool_name="notes_create", tool_input=given, identifier="u1", connection_name="notes"
    )
    sent = facades.tools.calls[0]
    assert sent["params"] == {"title": "Hello World", "tags": ["agent"], "saw_tags": True}
    assert (sent["identifier"], sent["connector"]) == ("u1", "notes")
    assert given == {"title": "hello world"}
    assert dict(out.data) == {"title": "Hello World", "count": 1.0}
    assert out.execution_id == "exec_7"
    assert [m.func for m in actions.get_modifiers("notes_create")] == [add_tag, title_case, summarize]
    assert [m.func for m in actions.get_modifiers(modifier_type="post")] == [summarize]


def test_execute_without_post_modifiers_returns_the_response_unchanged() -> None:
    facades = Facades()
    actions = _actions(facades)
    actions.add_modifier(Modifier.create("other_tool", "post", lambda d: {}))
    out = actions.execute_tool(tool_name="echo", tool_input={"x": 1}, connected_account_id="ca_1")
    assert json_format.MessageToDict(out.data)["received"] == {"x": 1}
    assert facades.tools.calls[0]["connected_account_id"] == "ca_1"


def test_post_modifier_returning_non_json_is_a_type_error() -> None:
    actions = _actions(Facades())
    actions.add_modifier(Modifier.create("echo", "post", lambda d: {"when": object()}))
    with pytest.raises(TypeError, match="not JSON-like"):
        actions.execute_tool(tool_name="echo", tool_input={}, connected_account_id="ca_1")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tool_name": "", "connected_account_id": "ca"}, "tool_name is required"),
        ({"tool_name": "t"}, "give connected_account_id, or identifier"),
        ({"tool_name": "t", "identifier": "u", "connected_account_id": "ca"}, "not both"),
    ],
)
def test_execute_checks_arguments_before_calling(kwargs: dict[str, Any], match: str) -> None:
    facades = Facades()
    with pytest.raises(ValueError, match=match):
        _actions(facades).execute_tool(tool_input={}, **kwargs)
    assert facades.tools.calls == []


AUTH = {"static_auth": {"details": {"api_key": "k-1"}}}


def test_get_or_create_creates_when_missing() -> None:
    accounts = FakeAccounts(existing=False)
    acc = _actions(Facades(accounts)).get_or_create_connected_account(
        connection_name="notes", identifier="u1", authorization_details=AUTH
    )
    assert accounts.calls == ["get", "create"]
    assert acc.authorization_details.static_auth.details["api_key"] == "k-1"


def test_get_or_create_returns_existing_or_stores_given_credentials() -> None:
    accounts = FakeAccounts(existing=True)
    actions = _actions(Facades(accounts))
    assert actions.get_or_create_connected_account(connection_name="notes", identifier="u1").id == "ca_1"
    assert accounts.calls == ["get"]
    updated = actions.upsert_connected_account(
        connection_name="notes", identifier="u1", authorization_details=AUTH
    )
    assert accounts.calls == ["get", "get", "update"]
    assert updated.status == ca_pb.ACTIVE


def test_get_or_create_reads_the_winner_after_a_lost_race() -> None:
    accounts = FakeAccounts(existing=False, race=True)
    acc = _actions(Facades(accounts)).get_or_create_connected_account(
        connection_name="notes", identifier="u1"
    )
    assert accounts.calls == ["get", "create", "get"]
    assert acc.id == "ca_1"


def test_bad_authorization_details_are_refused() -> None:
    actions = _actions(Facades())
    with pytest.raises(ValueError, match="invalid authorization_details"):
        actions.create_connected_account(
            connection_name="n", identifier="u", authorization_details={"nope": 1}
        )
    with pytest.raises(TypeError):
        actions.create_connected_account(connection_name="n", identifier="u", authorization_details="key")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="identifier is required"):
        actions.create_connected_account(connection_name="n", identifier="")


OFFICIAL_METHODS = {
    "execute_tool", "list_tools", "get_authorization_link", "verify_connected_account_user",
    "list_connected_accounts", "delete_connected_account", "get_connected_account",
    "get_connected_account_details", "create_connected_account", "get_or_create_connected_account",
    "upsert_connected_account", "update_connected_account", "add_modifier", "get_modifiers",
    "pre_modifier", "post_modifier", "request", "list_configs", "create_config", "update_config",
    "delete_config", "ensure_instance", "update_instance", "get_instance", "list_instances",
    "delete_instance", "get_instance_auth_state", "langchain", "google", "mcp", "providers",
}  # fmt: skip


@pytest.mark.parametrize("cls", [ActionClient, AsyncActionClient])
def test_official_action_client_names_exist_in_both_flavours(cls: Any) -> None:
    missing = {name for name in OFFICIAL_METHODS if not hasattr(cls, name)}
    assert missing == set()
    coroutine = inspect.iscoroutinefunction(cls.execute_tool)
    assert coroutine is (cls is AsyncActionClient)


def test_official_names_match_the_official_sdk_source() -> None:
    """Every public method of the official ActionClient (read from its source, not imported) exists here."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = sorted(root.glob(".interop/venv/lib/python*/site-packages/scalekit/actions/actions.py"))
    if not found:
        pytest.fail("official SDK not installed: run `make setup`")
    source = found[-1]
    tree = ast.parse(source.read_text())
    official = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ActionClient")
    names = {n.name for n in official.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
    names |= {
        t.id for n in official.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)
    }
    assert "google" in names
    assert names <= set(dir(ActionClient)), names - set(dir(ActionClient))
