"""``client.actions`` against the emulator's AgentKit, in both flavours.

The whole path an agent takes: connect (magic link) -> the user approves on the emulator's consent page
(followed with httpx, as a browser would) -> ACTIVE -> tools executed with modifiers -> the third-party
token expires and is refreshed -> proxied requests to a custom provider's upstream (a loopback server
here) with the account's credentials. Then every other actions method, and the failures: unknown tool,
wrong input, inactive account, tool failure, upstream down / slow / malformed.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from google.protobuf import json_format

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.mcp import mcp_pb2
from scalekit_py._client import ScalekitClient
from scalekit_py.agentkit.modifiers import Modifier
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.agentkit import accounts as emu_accounts
from scalekit_py.errors import (
    BadRequestError,
    NotFoundError,
    PreconditionFailedError,
    ServiceUnavailableError,
    ToolExecutionError,
)
from scalekit_py.services._sync.actions import ActionClient
from tests.e2e._actions_upstream import Upstream, upstream
from tests.e2e._support import unique

UPSTREAM_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def api(emulator: Emulator) -> Iterator[Upstream]:
    """A third-party API on loopback; the emulator waits at most ``UPSTREAM_TIMEOUT`` for it."""
    emulator.state.upstream_timeout = UPSTREAM_TIMEOUT
    with upstream() as up:
        up.slow_seconds = UPSTREAM_TIMEOUT * 4
        yield up


def actions(client: ScalekitClient) -> ActionClient:
    return client.actions


def drive(client: ScalekitClient, value: Any) -> Any:
    """``value``, or for the asyncio client, the awaitable run on the client's loop."""
    return getattr(client, "drive")(value)  # noqa: B009 - BlockingClient API, not on ScalekitClient


def is_sync(client: ScalekitClient) -> bool:
    return bool(getattr(client, "flavour") == "sync")  # noqa: B009


def data(response: Any) -> dict[str, Any]:
    return json_format.MessageToDict(response.data)


def approve(link: str) -> None:
    """Open the magic link like a browser: the consent page, then its Approve form."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        page = browser.get(link)
        assert page.status_code == 200, page.text
        assert "Approve" in page.text or "approve" in page.text
        answer = browser.post(link, data={"action": "approve"})
        assert answer.status_code in (200, 302, 303), answer.text


def connect(client: ScalekitClient, connection: str, identifier: str) -> ca_pb.ConnectedAccount:
    """Authorize a user's account on an OAuth connection through its magic link; returns it ACTIVE."""
    link = actions(client).get_authorization_link(connection_name=connection, identifier=identifier)
    assert link.link.startswith(client.env_url)
    pending = actions(client).get_connected_account_details(connection_name=connection, identifier=identifier)
    assert pending.status == ca_pb.PENDING_AUTH
    approve(link.link)
    active = actions(client).get_connected_account_details(connection_name=connection, identifier=identifier)
    assert active.status == ca_pb.ACTIVE
    return active


def custom_provider(client: ScalekitClient, api: Upstream, name: str, pattern: str = "OAUTH") -> str:
    """A provider proxying to ``api`` (a loopback ``http://`` URL, so ``create_provider``: custom
    providers must use ``https://``); returns its connection name."""
    provider = client.providers.create_provider(
        name, display_name=name, proxy_url=api.url, proxy_enabled=True, auth_patterns=[{"type": pattern}]
    )
    return provider.identifier.lower()


# --- the whole path -------------------------------------------------------------------------------------


def test_connect_authorize_execute_refresh_and_proxy(
    client: ScalekitClient, emulator: Emulator, api: Upstream
) -> None:
    user = unique("user")
    account = connect(client, "notes", user)

    seen_inputs: list[dict[str, Any]] = []

    @actions(client).pre_modifier(tool_names="notes_create")
    def tag_agent_notes(tool_input: dict[str, Any]) -> dict[str, Any]:
        seen_inputs.append(dict(tool_input))
        return {**tool_input, "tags": [*tool_input.get("tags", []), "agent"]}

    @actions(client).post_modifier(tool_names="notes_create")
    def keep_id_and_tags(result: dict[str, Any]) -> dict[str, Any]:
        note = result.get("note", result)
        return {"id": note["id"], "tags": note["tags"], "modified": True}

    def count_notes(result: dict[str, Any]) -> dict[str, Any]:
        return {**result, "count": len(result.get("notes", []))}

    actions(client).add_modifier(Modifier.create("notes_list", "post", count_notes))
    registered = actions(client).get_modifiers(tool_name="notes_create")
    assert [m.func for m in registered][-2:] == [tag_agent_notes, keep_id_and_tags]

    created = actions(client).execute_tool(
        tool_name="notes_create", tool_input={"title": "Groceries"}, identifier=user, connection_name="notes"
    )
    assert seen_inputs == [{"title": "Groceries"}]
    out = data(created)
    assert out["modified"] is True
    assert out["tags"] == ["agent"]
    assert created.execution_id
    listed = data(
        actions(client).execute_tool(tool_name="notes_list", tool_input={}, connected_account_id=account.id)
    )
    assert out["id"] in str(listed)
    assert "Groceries" in str(listed)
    assert listed["count"] == 1  # the post-modifier added by add_modifier

    # the third-party token expires; the next use refreshes it
    before = actions(client).get_connected_account(connection_name="notes", identifier=user)
    old_token = before.authorization_details.oauth_token.access_token
    assert old_token
    emu_accounts.expire_token(emulator.state, account.id)
    actions(client).execute_tool(
        tool_name="notes_list", tool_input={}, identifier=user, connection_name="notes"
    )
    after = actions(client).get_connected_account(connection_name="notes", identifier=user)
    assert after.authorization_details.oauth_token.access_token not in ("", old_token)

    # a custom provider: connect through the consent page, then proxy with the account's credentials
    connection = custom_provider(client, api, unique("acme"))
    proxied_account = connect(client, connection, user)
    reply = actions(client).request(
        connection, user, "/me/items", query_params={"page": 2}, headers={"X-Trace": "t-1"}
    )
    assert reply.status_code == 200
    got = reply.json()
    assert (got["method"], got["path"], got["query"]) == ("GET", "/me/items", [["page", "2"]])
    third_party = actions(client).get_connected_account(connection_name=connection, identifier=user)
    token = third_party.authorization_details.oauth_token.access_token
    assert got["headers"]["authorization"] == f"Bearer {token}"  # the account's token, not ours
    assert got["headers"]["x-trace"] == "t-1"
    assert "connection_name" not in got["headers"]
    assert "identifier" not in got["headers"]

    # the service revokes the client's own token: the proxy answers 401, the client fetches a new
    # token and replays the request once
    old_client_token = drive(client, client.token_source.get_token())
    emulator.runtime.tokens.revoke(jwt.decode(old_client_token, options={"verify_signature": False}))
    again = actions(client).request(connection, user, "/me/again")
    assert again.json()["path"] == "/me/again"
    assert drive(client, client.token_source.get_token()) != old_client_token

    emu_accounts.expire_token(emulator.state, proxied_account.id)
    posted = actions(client).request(connection, user, "/me", method="POST", body={"name": "widget"})
    assert posted.json()["body"] == '{"name":"widget"}'
    refreshed = posted.json()["headers"]["authorization"]
    assert refreshed.startswith("Bearer ")
    assert refreshed != f"Bearer {token}"  # refreshed on the way through


# --- tools ----------------------------------------------------------------------------------------------


def test_list_tools_and_failures(client: ScalekitClient) -> None:
    page = actions(client).list_tools(connection_name="toolbox")
    names = {json_format.MessageToDict(t.definition)["name"] for t in page.tools}
    assert {"echo", "calculator_evaluate", "toolbox_whoami"} <= names
    assert "notes_create" not in names

    user = unique("user")
    actions(client).get_authorization_link(connection_name="toolbox", identifier=user)  # PENDING_AUTH
    with pytest.raises(PreconditionFailedError, match="not ACTIVE"):
        actions(client).execute_tool(
            tool_name="echo", tool_input={"message": "hi"}, identifier=user, connection_name="toolbox"
        )
    connect_existing(client, "toolbox", user)
    echoed = actions(client).execute_tool(
        tool_name="echo",
        tool_input={"message": "hi", "repeat": 2},
        identifier=user,
        connection_name="toolbox",
    )
    assert data(echoed) == {"message": "hi", "repeat": 2.0, "echoed": ["hi", "hi"]}

    with pytest.raises(NotFoundError):
        actions(client).execute_tool(
            tool_name="no_such_tool", tool_input={}, identifier=user, connection_name="toolbox"
        )
    with pytest.raises(BadRequestError) as bad:
        actions(client).execute_tool(
            tool_name="echo", tool_input={"repeat": 99}, identifier=user, connection_name="toolbox"
        )
    assert bad.value.field_violations
    with pytest.raises(ToolExecutionError) as failed:
        actions(client).execute_tool(
            tool_name="calculator_evaluate",
            tool_input={"expression": "1/0"},
            identifier=user,
            connection_name="toolbox",
        )
    assert failed.value.tool_error_code == "DIVISION_BY_ZERO"
    with pytest.raises(ValueError, match="not both"):
        actions(client).execute_tool(
            tool_name="echo", tool_input={}, identifier=user, connected_account_id="ca"
        )


def connect_existing(client: ScalekitClient, connection: str, identifier: str) -> None:
    """Approve the (already PENDING_AUTH) account of ``identifier`` through a fresh link."""
    link = actions(client).get_authorization_link(connection_name=connection, identifier=identifier)
    approve(link.link)


# --- connected accounts ---------------------------------------------------------------------------------


def test_connected_account_lifecycle(client: ScalekitClient, api: Upstream) -> None:
    connection = custom_provider(client, api, unique("keyed"), pattern="API_KEY")
    user = unique("user")
    created = actions(client).create_connected_account(
        connection_name=connection,
        identifier=user,
        authorization_details={"static_auth": {"details": {"api_key": "key-1"}}},
        api_config={"region": "eu"},
    )
    assert created.status == ca_pb.ACTIVE
    same = actions(client).get_or_create_connected_account(connection_name=connection, identifier=user)
    assert same.id == created.id
    upserted = actions(client).upsert_connected_account(
        connection_name=connection,
        identifier=user,
        authorization_details={"static_auth": {"details": {"api_key": "key-2"}}},
    )
    assert upserted.id == created.id
    reply = actions(client).request(connection, user, "/me")
    headers = reply.json()["headers"]
    assert "key-2" in headers.values()  # the proxy injected the account's newest key

    updated = actions(client).update_connected_account(
        connection_name=connection, identifier=user, api_config={"region": "us"}
    )
    assert dict(updated.api_config) == {"region": "us"}
    details = actions(client).get_connected_account_details(connected_account_id=created.id)
    assert not details.authorization_details.HasField("static_auth")  # details carry no credentials
    full = actions(client).get_connected_account(connected_account_id=created.id)
    assert full.authorization_details.static_auth.details["api_key"] == "key-2"

    other = unique("user")
    made = actions(client).get_or_create_connected_account(connection_name=connection, identifier=other)
    assert made.status == ca_pb.PENDING_AUTH
    page = actions(client).list_connected_accounts(connection_name=connection)
    assert {a.identifier for a in page.connected_accounts} >= {user, other}
    assert [
        a.identifier for a in actions(client).list_connected_accounts(identifier=other).connected_accounts
    ] == [other]
    actions(client).delete_connected_account(connection_name=connection, identifier=other)
    with pytest.raises(NotFoundError):
        actions(client).get_connected_account_details(connection_name=connection, identifier=other)


def test_user_verification(client: ScalekitClient) -> None:
    user = unique("user")
    link = actions(client).get_authorization_link(
        connection_name="notes",
        identifier=user,
        state="st-1",
        user_verify_url="https://app.example/verify",
    )
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        answer = browser.post(link.link, data={"action": "approve"})
    assert answer.status_code in (302, 303)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["location"]).query))
    assert query["state"] == "st-1"
    with pytest.raises(BadRequestError):
        actions(client).verify_connected_account_user(
            auth_request_id=query["auth_request_id"], identifier="x"
        )
    done = actions(client).verify_connected_account_user(
        auth_request_id=query["auth_request_id"], identifier=user
    )
    assert done.post_user_verify_redirect_url
    status = actions(client).get_connected_account_details(connection_name="notes", identifier=user).status
    assert status == ca_pb.ACTIVE


# --- proxy failures -------------------------------------------------------------------------------------


def test_proxy_failures_are_typed(client: ScalekitClient, api: Upstream) -> None:
    connection = custom_provider(client, api, unique("flaky"), pattern="BEARER")
    user = unique("user")
    actions(client).create_connected_account(
        connection_name=connection,
        identifier=user,
        authorization_details={"static_auth": {"details": {"token": "tok-3p"}}},
    )
    fast = None

    with pytest.raises(NotFoundError, match=r"HTTP 404.*no such path"):
        actions(client).request(connection, user, "/nowhere", retry=fast)
    with pytest.raises(ServiceUnavailableError, match=r"HTTP 504 Gateway Timeout") as slow:
        actions(client).request(connection, user, "/slow", retry=fast)
    assert slow.value.error_code == "upstream_timeout"
    with pytest.raises(ServiceUnavailableError, match=r"HTTP 502 Bad Gateway") as bad:
        actions(client).request(connection, user, "/malformed", retry=fast)
    assert bad.value.error_code == "upstream_unreachable"
    pending = unique("user")
    actions(client).get_authorization_link(connection_name=connection, identifier=pending)
    with pytest.raises(PreconditionFailedError, match="HTTP 412"):
        actions(client).request(connection, pending, "/me", retry=fast)
    with pytest.raises(NotFoundError, match="HTTP 404"):
        actions(client).request(connection, unique("nobody"), "/me", retry=fast)
    answer = actions(client).request(connection, user, "/status/409", raise_for_status=False)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "UPSTREAM_SAYS_NO"


def test_proxy_to_an_upstream_that_is_down(client: ScalekitClient) -> None:
    with upstream() as gone:
        connection = custom_provider(client, gone, unique("gone"), pattern="BEARER")
    user = unique("user")
    actions(client).create_connected_account(
        connection_name=connection,
        identifier=user,
        authorization_details={"static_auth": {"details": {"token": "t"}}},
    )
    with pytest.raises(ServiceUnavailableError, match=r"HTTP 502") as info:
        actions(client).request(connection, user, "/me", retry=None)
    assert info.value.http_status == 502
    assert re.search(r"proxied GET /me \(connection '[a-z0-9_]+'\) failed", str(info.value))


# --- MCP configurations and instances -------------------------------------------------------------------


def test_mcp_configs_and_instances(client: ScalekitClient) -> None:
    name = unique("cfg")
    mapping = mcp_pb2.McpConfigConnectionToolMapping(connection_name="notes", tools=["notes_list"])
    config = actions(client).create_config(
        name=name, description="notes for agents", connection_tool_mappings=[mapping]
    )
    assert config.name == name
    assert name in [c.name for c in actions(client).list_configs(filter_name=name).configs]
    updated = actions(client).update_config(config_id=config.id, description="changed")
    assert updated.description == "changed"

    user = unique("user")
    instance = actions(client).ensure_instance(config_name=name, user_identifier=user, name=unique("inst"))
    assert actions(client).ensure_instance(config_name=name, user_identifier=user).id == instance.id
    assert actions(client).get_instance(instance_id=instance.id).id == instance.id
    listed = actions(client).list_instances(filter_config_name=name)
    assert [i.id for i in listed.instances] == [instance.id]
    renamed = actions(client).update_instance(instance_id=instance.id, name="renamed")
    assert renamed.name == "renamed"
    state = actions(client).get_instance_auth_state(instance_id=instance.id, include_auth_links=True)
    assert "notes" in str(state)

    actions(client).delete_instance(instance_id=instance.id)
    with pytest.raises(NotFoundError):
        actions(client).get_instance(instance_id=instance.id)
    actions(client).delete_config(config_id=config.id)
    assert actions(client).list_configs(filter_name=name).configs == []


# --- framework adapters ---------------------------------------------------------------------------------


def test_langchain_and_mcp_adapters_run_tools(client: ScalekitClient) -> None:
    import asyncio

    user = unique("user")
    connect(client, "toolbox", user)

    @actions(client).pre_modifier(tool_names="calculator_evaluate")
    def double(tool_input: dict[str, Any]) -> dict[str, Any]:
        return {"expression": f"({tool_input['expression']})*2"}

    tools = drive(client, actions(client).langchain.get_tools(identifier=user, connection_names=["toolbox"]))
    by_name = {t.name: t for t in tools}
    assert {"echo", "calculator_evaluate"} <= set(by_name)
    calc = by_name["calculator_evaluate"]
    text = (
        calc.invoke({"expression": "20+1"})
        if is_sync(client)
        else drive(client, calc.ainvoke({"expression": "20+1"}))
    )
    assert json.loads(text)["result"] == 42  # the pre-modifier doubled (20+1)
    failing = by_name["calculator_evaluate"]
    bad_input = {"expression": "1/0"}
    error_text = failing.invoke(bad_input) if is_sync(client) else drive(client, failing.ainvoke(bad_input))
    assert "DIVISION_BY_ZERO" in error_text or "division by zero" in error_text

    [adk_echo] = drive(client, actions(client).google.get_tools(identifier=user, tool_names=["echo"]))
    adk_call = adk_echo.run_async(args={"message": "adk"}, tool_context=None)
    adk_out = asyncio.run(adk_call) if is_sync(client) else drive(client, adk_call)
    assert adk_out["echoed"] == ["adk"]
    assert adk_out["execution_id"].startswith("exec_")
    [mcp_def] = drive(client, actions(client).mcp_tools.get_tools(identifier=user, tool_names=["echo"]))
    assert mcp_def.input_schema["required"] == ["message"]

    toolset = drive(client, actions(client).mcp_tools.get_toolset(identifier=user, tool_names=["echo"]))
    assert [t.name for t in toolset.tools()] == ["echo"]
    call = toolset.call_tool("echo", {"message": "mcp"})
    result = asyncio.run(call) if is_sync(client) else drive(client, call)
    assert result.is_error is False
    assert "mcp" in str(result.structured_content)
