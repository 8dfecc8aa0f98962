"""Connected accounts: selection, credentials, the third-party token lifecycle, and what the proxy injects.

Lifecycle: an account is created ``PENDING_AUTH`` unless credentials come with it; the consent page
(:mod:`.consent`) makes it ``ACTIVE`` with emulator-issued OAuth tokens, or ``PENDING_VERIFICATION``
when a ``user_verify_url`` asks the application to confirm the user first
(``VerifyConnectedAccountUser`` then activates it). Third-party access tokens live ``ACCESS_TTL``
seconds; an expired one is refreshed by the emulator whenever the account is used (tool execution,
proxy, ``GetConnectedAccountAuth``). ``DisconnectConnectedAccount`` drops the credentials.

Stored kinds: ``ak_account`` (``ConnectedAccount``, parent = connector, unique ``key`` =
``<connector>:<identifier>``) and ``ak_owner`` (``Struct`` with ``organization_id`` / ``user_id``,
id = the account id).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from google.protobuf import json_format, struct_pb2

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as pb
from scalekit_api.v1.providers import providers_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.agentkit import catalogue
from scalekit_py.emulator.services._base import new_id, timestamp
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Tx

__all__ = [
    "ACCESS_TTL",
    "KIND",
    "activate",
    "create",
    "credential_headers",
    "expire_token",
    "for_list",
    "fresh",
    "owner",
    "public",
    "require_active",
    "select",
    "status_name",
]

KIND = "ak_account"
OWNER_KIND = "ak_owner"
ACCESS_TTL = 3600
"""Seconds an emulator-issued third-party access token is valid."""

_AUTH_TYPES = {
    "OAUTH": pb.OAUTH,
    "BEARER": pb.BEARER_TOKEN,
    "API_KEY": pb.API_KEY,
    "BASIC": pb.BASIC_AUTH,
    "NO_AUTH": pb.NO_AUTH,
}


def status_name(status: int) -> str:
    return pb.ConnectorStatus.Name(status)  # type: ignore[arg-type]


def _key(connector: str, identifier: str) -> str:
    return f"{connector.lower()}:{identifier}"


def owner(tx: Tx, account_id: str) -> dict[str, str]:
    """``{"organization_id": ..., "user_id": ...}`` of an account (empty strings when unset)."""
    doc = tx.get(OWNER_KIND, account_id, struct_pb2.Struct)
    data = json_format.MessageToDict(doc) if doc is not None else {}
    return {"organization_id": str(data.get("organization_id", "")), "user_id": str(data.get("user_id", ""))}


def select(
    tx: Tx,
    *,
    account_id: str = "",
    connector: str = "",
    identifier: str = "",
    organization_id: str = "",
    user_id: str = "",
) -> pb.ConnectedAccount:
    """The account named by id, or by connector + identifier (optionally narrowed by owner).

    Raises:
        ConnectError: INVALID_ARGUMENT when neither form is given, NOT_FOUND when nothing matches.
    """
    if account_id:
        account = tx.get(KIND, account_id, pb.ConnectedAccount)
        wanted = account_id
    elif connector and identifier:
        account = tx.find(KIND, "key", _key(connector, identifier), pb.ConnectedAccount)
        wanted = f"{connector}/{identifier}"
    else:
        raise _status.invalid_argument(
            [("id", "give the connected account's id, or connector and identifier", "required")]
        )
    if account is not None and (organization_id or user_id):
        who = owner(tx, account.id)
        if (organization_id and who["organization_id"] != organization_id) or (
            user_id and who["user_id"] != user_id
        ):
            account = None
    if account is None:
        raise _status.not_found("connected account", wanted)
    return account


def _has_credentials(details: pb.AuthorizationDetails) -> bool:
    if details.HasField("oauth_token"):
        return bool(details.oauth_token.access_token)
    if details.HasField("static_auth"):
        return bool(details.static_auth.details.fields)
    return False


def activate(account: pb.ConnectedAccount, details: pb.AuthorizationDetails | None, now: float) -> None:
    """Store credentials on the account and make it ACTIVE (OAuth tokens get a fresh expiry).

    With ``details=None`` the emulator issues OAuth tokens itself (what the third party's consent gives).
    """
    if details is None:
        details = pb.AuthorizationDetails(
            oauth_token=pb.OauthToken(
                access_token=f"ak_at_{secrets.token_urlsafe(18)}",
                refresh_token=f"ak_rt_{secrets.token_urlsafe(18)}",
                scopes=["read", "write"],
            )
        )
    account.authorization_details.CopyFrom(details)
    account.status = pb.ACTIVE
    if details.HasField("oauth_token"):
        account.token_expires_at.CopyFrom(timestamp(now + ACCESS_TTL))
    else:
        account.ClearField("token_expires_at")
    account.updated_at.CopyFrom(timestamp(now))


def create(
    tx: Tx,
    state: EmulatorState,
    *,
    connector: str,
    identifier: str,
    organization_id: str = "",
    user_id: str = "",
    body: pb.CreateConnectedAccount | None = None,
) -> pb.ConnectedAccount:
    """A new account for ``identifier`` on ``connector``: ACTIVE with the given credentials (or for a
    ``NO_AUTH`` provider), else PENDING_AUTH.

    Raises:
        ConnectError: INVALID_ARGUMENT (no connector/identifier), NOT_FOUND (unknown connector);
            the store raises ``Conflict`` when the identifier already has an account there.
    """
    if not connector or not identifier:
        missing = [
            (n, "is required", "required")
            for n, v in (("connector", connector), ("identifier", identifier))
            if not v
        ]
        raise _status.invalid_argument(missing)
    provider = catalogue.provider_for_connector(tx, connector)
    if provider is None:
        raise _status.not_found("connector", connector)
    pattern = str(catalogue.auth_pattern(provider)["type"]).upper()
    now = state.clock()
    account = pb.ConnectedAccount(
        id=new_id("ca"),
        identifier=identifier,
        provider=provider.identifier,
        connector=catalogue.connector_of(provider),
        connection_id=catalogue.connection_id(provider),
        status=pb.PENDING_AUTH,
        authorization_type=_AUTH_TYPES.get(pattern, pb.CUSTOM),
        updated_at=timestamp(now),
    )
    if body is not None and body.HasField("api_config"):
        account.api_config.CopyFrom(body.api_config)
    if body is not None and _has_credentials(body.authorization_details):
        activate(account, body.authorization_details, now)
    elif pattern == "NO_AUTH":
        account.status = pb.ACTIVE
    tx.insert(
        KIND,
        account.id,
        account,
        parent=account.connector,
        unique={"key": _key(account.connector, identifier)},
    )
    who = struct_pb2.Struct()
    who.update({"organization_id": organization_id, "user_id": user_id})
    tx.insert(OWNER_KIND, account.id, who)
    return account


def fresh(tx: Tx, account: pb.ConnectedAccount, now: float) -> pb.ConnectedAccount:
    """The account with a valid OAuth access token: an expired one is refreshed (and stored)."""
    token = account.authorization_details.oauth_token
    expired = account.HasField("token_expires_at") and account.token_expires_at.ToNanoseconds() <= now * 1e9
    if account.status == pb.ACTIVE and account.authorization_details.HasField("oauth_token") and expired:
        if not token.refresh_token:
            account.status = pb.EXPIRED
        else:
            token.access_token = f"ak_at_{secrets.token_urlsafe(18)}"
            account.token_expires_at.CopyFrom(timestamp(now + ACCESS_TTL))
        account.updated_at.CopyFrom(timestamp(now))
        tx.update(KIND, account.id, account)
    return account


def require_active(account: pb.ConnectedAccount) -> None:
    """FAILED_PRECONDITION (``CONNECTED_ACCOUNT_NOT_ACTIVE``) unless the account is ACTIVE."""
    if account.status != pb.ACTIVE:
        raise _status.failed_precondition(
            f"connected account {account.id} is {status_name(account.status)}, not ACTIVE: "
            "authorize it through its magic link first",
            "CONNECTED_ACCOUNT_NOT_ACTIVE",
        )


def public(account: pb.ConnectedAccount) -> pb.ConnectedAccount:
    """A copy without credentials."""
    out = pb.ConnectedAccount()
    out.CopyFrom(account)
    out.ClearField("authorization_details")
    return out


def for_list(account: pb.ConnectedAccount) -> pb.ConnectedAccountForList:
    out = pb.ConnectedAccountForList(
        identifier=account.identifier,
        provider=account.provider,
        status=account.status,
        authorization_type=account.authorization_type,
        connector=account.connector,
        id=account.id,
        connection_id=account.connection_id,
        is_org_wide_credential=account.is_org_wide_credential,
    )
    for name in ("token_expires_at", "updated_at", "last_used_at"):
        if account.HasField(name):
            getattr(out, name).CopyFrom(getattr(account, name))
    return out


def _static(account: pb.ConnectedAccount) -> dict[str, Any]:
    return json_format.MessageToDict(account.authorization_details.static_auth.details)


def credential_headers(account: pb.ConnectedAccount, provider: providers_pb2.Provider) -> dict[str, str]:
    """The headers that carry the account's credentials to the provider's API (what the proxy injects).

    ``OAUTH``: ``Authorization: Bearer <access token>``; ``BEARER``: the stored ``token`` (or
    ``bearer_token``) as a bearer token; ``API_KEY``: the stored ``api_key``; ``BASIC``: ``username`` and
    ``password`` as HTTP Basic. A pattern's ``auth_header_key_override`` names another header for the
    static credential. ``NO_AUTH``: nothing.
    """
    pattern = catalogue.auth_pattern(provider)
    kind = str(pattern.get("type", "OAUTH")).upper()
    header = str(pattern.get("auth_header_key_override") or "Authorization")
    details = account.authorization_details
    if details.HasField("oauth_token") and details.oauth_token.access_token:
        return {"Authorization": f"Bearer {details.oauth_token.access_token}"}
    static = _static(account)
    if kind == "BEARER":
        token = str(static.get("token") or static.get("bearer_token") or "")
        return {header: token if header.lower() != "authorization" else f"Bearer {token}"}
    if kind == "API_KEY":
        return {header: str(static.get("api_key", ""))}
    if kind == "BASIC":
        raw = f"{static.get('username', '')}:{static.get('password', '')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    return {}


def fingerprint(secret: str) -> str:
    """A short, non-reversible tag of a token, safe to show."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def expire_token(state: EmulatorState, account_id: str) -> None:
    """Test helper: make an account's third-party access token expired now (the next use refreshes it).

    Raises:
        KeyError: no such account.
    """
    with state.store.transaction() as tx:
        account = tx.get(KIND, account_id, pb.ConnectedAccount)
        if account is None:
            raise KeyError(account_id)
        account.token_expires_at.CopyFrom(timestamp(state.clock() - 1))
        tx.update(KIND, account.id, account)
