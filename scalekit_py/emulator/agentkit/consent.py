"""Magic links, the simulated third-party consent page, and the user-verify step.

``GetMagicLinkForConnectedAccount`` returns ``<env_url>/agentkit/connect/<token>`` (valid
``LINK_TTL`` seconds, single use). ``GET`` shows what the third party would: the connector, the
identifier and an *Approve* button (for ``BEARER`` / ``API_KEY`` / ``BASIC`` providers, the credential
inputs). ``POST`` (or ``GET ...?auto_approve=1`` for OAuth providers, handy with a plain HTTP client)
approves: the account becomes ``ACTIVE`` with emulator-issued OAuth tokens (or the typed credentials).
When the link was made with a ``user_verify_url``, approval instead redirects there with
``auth_request_id`` and ``state``; the account is ``PENDING_VERIFICATION`` until the application calls
``VerifyConnectedAccountUser`` with that id and the user's identifier.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format, struct_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as pb
from scalekit_py.emulator import _status
from scalekit_py.emulator.agentkit import accounts, catalogue
from scalekit_py.emulator.login import with_query
from scalekit_py.emulator.services._base import new_id, timestamp
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Tx, secret_digest

__all__ = ["LINK_TTL", "Page", "approve", "connected_page", "consent_page", "magic_link", "verify_user"]

LINK_KIND = "ak_link"
REQUEST_KIND = "ak_auth_request"
LINK_TTL = 600
_FIELDS = {"BEARER": ("token",), "API_KEY": ("api_key",), "BASIC": ("username", "password")}


@dataclass(frozen=True)
class Page:
    """An HTTP answer of the consent routes: a page, or a redirect when ``location`` is set."""

    status: int
    body: str = ""
    location: str = ""


def _doc(tx: Tx, kind: str, doc_id: str) -> dict[str, Any] | None:
    doc = tx.get(kind, doc_id, struct_pb2.Struct)
    return json_format.MessageToDict(doc) if doc is not None else None


def _struct(data: Mapping[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(dict(data))
    return out


def magic_link(
    tx: Tx, state: EmulatorState, account: pb.ConnectedAccount, *, state_param: str = "", verify_url: str = ""
) -> tuple[str, Timestamp]:
    """A new single-use consent link for the account, and its expiry."""
    token = secrets.token_urlsafe(24)
    exp = state.clock() + LINK_TTL
    data = {"account_id": account.id, "exp": exp, "state": state_param, "user_verify_url": verify_url}
    tx.insert(LINK_KIND, secret_digest(token), _struct(data), parent=account.id)
    return f"{state.env_url}/agentkit/connect/{token}", timestamp(exp)


def _link(tx: Tx, state: EmulatorState, token: str) -> tuple[dict[str, Any], pb.ConnectedAccount] | Page:
    link = _doc(tx, LINK_KIND, secret_digest(token))
    if link is None or float(link["exp"]) <= state.clock():
        return Page(
            410, _html("Link expired", "<p>This link is unknown, used or expired. Ask for a new one.</p>")
        )
    account = tx.get(accounts.KIND, str(link["account_id"]), pb.ConnectedAccount)
    if account is None:
        return Page(410, _html("Link expired", "<p>The connected account no longer exists.</p>"))
    return link, account


def _kind(tx: Tx, account: pb.ConnectedAccount) -> str:
    provider = catalogue.provider_for_connector(tx, account.connector)
    return str(catalogue.auth_pattern(provider)["type"]).upper() if provider else "OAUTH"


def consent_page(tx: Tx, state: EmulatorState, token: str) -> Page:
    """What ``GET /agentkit/connect/<token>`` shows."""
    found = _link(tx, state, token)
    if isinstance(found, Page):
        return found
    _, account = found
    inputs = "".join(
        f'<label>{html.escape(name)} <input name="{html.escape(name)}" type="password"></label><br>'
        for name in _FIELDS.get(_kind(tx, account), ())
    )
    body = (
        f"<p><b>{html.escape(state.environment_id)}</b> asks to connect "
        f"<b>{html.escape(account.connector)}</b> for <b>{html.escape(account.identifier)}</b>.</p>"
        f'<form method="post">{inputs}<button name="action" value="approve">Approve</button> '
        '<button name="action" value="deny">Deny</button></form>'
    )
    return Page(200, _html(f"Connect {account.connector}", body))


def approve(tx: Tx, state: EmulatorState, token: str, form: Mapping[str, str]) -> Page:
    """Apply the user's answer on the consent page (``action=deny`` refuses; anything else approves)."""
    found = _link(tx, state, token)
    if isinstance(found, Page):
        return found
    link, account = found
    if form.get("action") == "deny":
        tx.delete(LINK_KIND, secret_digest(token))
        return Page(403, _html("Not connected", "<p>You denied access. The account stays unauthorized.</p>"))
    kind = _kind(tx, account)
    details: pb.AuthorizationDetails | None = None
    if kind in _FIELDS:
        values = {name: form.get(name, "") for name in _FIELDS[kind]}
        if not all(values.values()):
            return Page(400, _html("Missing credentials", "<p>Fill in every field.</p>"))
        details = pb.AuthorizationDetails(static_auth=pb.StaticAuth(details=_struct(values)))
    now = state.clock()
    accounts.activate(account, details, now)
    tx.delete(LINK_KIND, secret_digest(token))
    verify_url = str(link.get("user_verify_url", ""))
    if verify_url:
        account.status = pb.PENDING_VERIFICATION
        tx.update(accounts.KIND, account.id, account)
        request_id = new_id("ar")
        data = {"account_id": account.id, "identifier": account.identifier, "exp": now + LINK_TTL}
        tx.insert(REQUEST_KIND, request_id, _struct(data), parent=account.id)
        query = {"auth_request_id": request_id, "state": str(link.get("state", ""))}
        return Page(302, location=with_query(verify_url, query))
    tx.update(accounts.KIND, account.id, account)
    return Page(200, _connected(account))


def verify_user(tx: Tx, state: EmulatorState, auth_request_id: str, identifier: str) -> str:
    """Finish a user-verified connection; returns where to send the user next.

    Raises:
        ConnectError: INVALID_ARGUMENT when the request is unknown, expired or for another identifier.
    """
    request = _doc(tx, REQUEST_KIND, auth_request_id)
    if request is None or float(request["exp"]) <= state.clock():
        raise _status.invalid_argument([("auth_request_id", "is unknown or expired", "auth_request")])
    if request["identifier"] != identifier:
        raise _status.invalid_argument([("identifier", "is not the user who authorized", "identifier")])
    account = tx.get(accounts.KIND, str(request["account_id"]), pb.ConnectedAccount)
    tx.delete(REQUEST_KIND, auth_request_id)
    if account is None:
        raise _status.invalid_argument(
            [("auth_request_id", "its connected account was deleted", "auth_request")]
        )
    account.status = pb.ACTIVE
    account.updated_at.CopyFrom(timestamp(state.clock()))
    tx.update(accounts.KIND, account.id, account)
    return f"{state.env_url}/agentkit/connected/{account.id}"


def connected_page(tx: Tx, account_id: str) -> Page:
    """What ``GET /agentkit/connected/<account id>`` shows (where a verified user lands)."""
    account = tx.get(accounts.KIND, account_id, pb.ConnectedAccount)
    if account is None:
        return Page(404, _html("Not found", "<p>No such connected account.</p>"))
    return Page(200, _connected(account))


def _connected(account: pb.ConnectedAccount) -> str:
    status = accounts.status_name(account.status)
    return _html(
        "Connected",
        f"<p>{html.escape(account.connector)} is connected for {html.escape(account.identifier)} "
        f"(status {status}). You can close this window.</p>",
    )


def _html(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}<p><small>Scalekit emulator (simulated third-party "
        "consent)</small></p></body></html>"
    )
