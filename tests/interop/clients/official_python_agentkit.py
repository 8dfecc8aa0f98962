"""Test-only: drive the official `scalekit-sdk-python` AgentKit clients against the emulator; print one JSON line.

Creates a connected account on the built-in ``notes`` connector, approves its consent page like a user,
lists the connector's tools, executes two of them, and sends one proxied request through
``actions.request`` to the custom provider named by INTEROP_PROXY_CONNECTOR (a loopback upstream the
test runs). Runs in the official SDK's own virtualenv, over TLS (see official_python.py).
"""

import json
import os

import requests
from scalekit import ScalekitClient
from scalekit.v1.connected_accounts.connected_accounts_pb2 import CreateConnectedAccount
from scalekit.v1.tools.tools_pb2 import Filter


def _msg(result):  # the official SDK returns (message, call) tuples
    return result[0] if isinstance(result, tuple) else result


def main() -> None:
    sc = ScalekitClient(
        os.environ["SCALEKIT_ENV_URL"], os.environ["SCALEKIT_CLIENT_ID"], os.environ["SCALEKIT_CLIENT_SECRET"]
    )
    who = f"py-agent-{os.environ['INTEROP_SUFFIX']}"
    out = {}
    created = _msg(sc.connected_accounts.create_connected_account("notes", who, CreateConnectedAccount()))
    out["account_id"] = created.connected_account.id
    out["status_before"] = created.connected_account.status
    link = _msg(sc.connected_accounts.get_magic_link_for_connected_account("notes", who)).link
    out["consent_status"] = requests.post(link, data={"action": "approve"}, timeout=10).status_code
    account = _msg(sc.connected_accounts.get_connected_account_by_identifier("notes", who)).connected_account
    out["status_after"] = account.status
    out["has_token"] = bool(account.authorization_details.oauth_token.access_token)
    tools = _msg(sc.tools.list_tools(filter=Filter(provider="NOTES")))
    out["tools"] = [t.definition["name"] for t in tools.tools]
    note = _msg(sc.tools.execute_tool("notes_create", who, params={"title": "from the official SDK"}))
    out["note_title"] = note.data["title"]
    out["execution_id"] = note.execution_id
    listed = _msg(sc.tools.execute_tool("notes_list", who, params={}))
    out["note_count"] = int(listed.data["count"])
    answer = sc.actions.request(
        os.environ["INTEROP_PROXY_CONNECTOR"],
        os.environ["INTEROP_PROXY_IDENTIFIER"],
        "/items",
        method="POST",
        query_params={"page": "2"},
        body={"name": "widget"},
    )
    out["proxy_status"] = answer.status_code
    out["proxy_echo"] = answer.json()["echo"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
