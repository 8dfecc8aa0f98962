"""AgentKit helpers of the end-to-end tests: follow a magic link like the user would."""

from __future__ import annotations

import httpx

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_py._client import ScalekitClient

__all__ = ["approve", "connect"]


def approve(link: str, **form: str) -> httpx.Response:
    """POST the consent page's *Approve* (with any credential fields), without following redirects."""
    return httpx.post(link, data={"action": "approve", **form}, timeout=10)


def connect(client: ScalekitClient, connector: str, identifier: str, **form: str) -> ca_pb.ConnectedAccount:
    """Create (or reuse) the account, approve its consent page, and return it ACTIVE."""
    link = client.connected_accounts.get_magic_link_for_connected_account(connector, identifier).link
    answer = approve(link, **form)
    assert answer.status_code == 200, answer.text
    account = client.connected_accounts.get_connected_account_details_by_identifier(connector, identifier)
    assert account.status == ca_pb.ACTIVE
    return account
