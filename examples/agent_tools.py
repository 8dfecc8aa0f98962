"""AgentKit tour: connect a user's account, list and run tools with a modifier, send a proxied request.

Starts a local emulator (with its built-in ``notes`` connection) and a tiny loopback "third-party API",
so it needs no cloud account and no network:

    python examples/agent_tools.py

Steps: a magic link for user ``user_42`` on ``notes`` -> the user approves on the consent page (here an
HTTP client plays the browser) -> the account is ACTIVE -> tools are listed and run, one with a
pre-modifier and a post-modifier -> a provider for the loopback API is added, the user's API key stored,
and ``client.actions.request`` calls the API through the proxy, which injects the key -> the same tools
as LangChain tools, when ``langchain-core`` is installed. The same calls work with
``AsyncScalekitClient`` (awaited).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from google.protobuf import json_format

from scalekit_api.v1.connected_accounts import connected_accounts_pb2
from scalekit_py import NotFoundError, ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import ToolExecutionError

USER = "user_42"


class _ThirdPartyApi(BaseHTTPRequestHandler):
    """The loopback API: ``GET /profile`` answers who the API key belongs to."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        key = self.headers.get("x-api-key", "")
        ok = key == "demo-key"
        status, data = (200, {"owner": "user_42", "plan": "pro"}) if ok else (401, {"error": "bad key"})
        body = json.dumps({**data, "path": self.path}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def third_party_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ThirdPartyApi)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def connect_notes(client: ScalekitClient) -> None:
    """The user authorizes the ``notes`` connection through a magic link."""
    link = client.actions.get_authorization_link(connection_name="notes", identifier=USER).link
    print(f"magic link for {USER}: {link}")
    with httpx.Client(timeout=10) as browser:  # the user's browser: open the page, press Approve
        page = browser.get(link)
        print(f"consent page: HTTP {page.status_code}")
        browser.post(link, data={"action": "approve"})
    account = client.actions.get_connected_account_details(connection_name="notes", identifier=USER)
    print(f"account {account.id} is {connected_accounts_pb2.ConnectorStatus.Name(account.status)}")


def run_tools(client: ScalekitClient) -> None:
    names = [json_format.MessageToDict(t.definition)["name"] for t in client.actions.list_tools().tools]
    print(f"tools: {', '.join(names)}")

    @client.actions.pre_modifier(tool_names="notes_create")
    def tag_agent_notes(tool_input: dict[str, Any]) -> dict[str, Any]:
        return {**tool_input, "tags": [*tool_input.get("tags", []), "from-agent"]}

    @client.actions.post_modifier(tool_names="notes_list")
    def titles_only(result: dict[str, Any]) -> dict[str, Any]:
        return {"titles": [note["title"] for note in result.get("notes", [])]}

    created = client.actions.execute_tool(
        tool_name="notes_create",
        tool_input={"title": "Buy milk", "body": "2 litres"},
        identifier=USER,
        connection_name="notes",
    )
    note = json_format.MessageToDict(created.data)
    print(f"notes_create -> {note.get('id')} tags={note.get('tags')} (execution {created.execution_id})")
    listed = client.actions.execute_tool(
        tool_name="notes_list", tool_input={}, identifier=USER, connection_name="notes"
    )
    print(f"notes_list (post-modified) -> {json_format.MessageToDict(listed.data)}")
    try:
        client.actions.execute_tool(tool_name="notes_get", tool_input={"note_id": "nope"}, identifier=USER)
    except ToolExecutionError as exc:
        print(f"a failing tool is a typed error: ToolExecutionError {exc.tool_error_code}: {exc}")


def proxied_request(client: ScalekitClient, api_url: str) -> None:
    provider = client.providers.create_provider(
        "ACME_API",
        display_name="Acme API",
        proxy_url=api_url,
        proxy_enabled=True,
        auth_patterns=[{"type": "API_KEY", "auth_header_key_override": "X-Api-Key"}],
    )
    connection = provider.identifier.lower()
    client.actions.get_or_create_connected_account(
        connection_name=connection,
        identifier=USER,
        authorization_details={"static_auth": {"details": {"api_key": "demo-key"}}},
    )
    reply = client.actions.request(connection, USER, "/profile", query_params={"fields": "plan"})
    print(f"proxied GET /profile -> HTTP {reply.status_code} {reply.json()}")
    try:
        client.actions.request(connection, "someone_else", "/profile")
    except NotFoundError as exc:
        print(f"no account, typed error: NotFoundError (HTTP {exc.http_status})")


def langchain_tools(client: ScalekitClient) -> None:
    try:
        tools = client.actions.langchain.get_tools(identifier=USER, connection_names=["notes"])
    except ImportError:
        print("langchain-core is not installed: skipping the LangChain tools")
        return
    print(f"LangChain tools: {[t.name for t in tools]}")
    notes_list = next(t for t in tools if t.name == "notes_list")
    print(f"LangChain notes_list.invoke -> {notes_list.invoke({})}")


def main() -> None:
    with Emulator() as emu, third_party_api() as api_url:
        print(f"started the local emulator at {emu.env_url}")
        with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
            connect_notes(client)
            run_tools(client)
            proxied_request(client, api_url)
            langchain_tools(client)
    print("agent tools demo finished")


if __name__ == "__main__":
    main()
