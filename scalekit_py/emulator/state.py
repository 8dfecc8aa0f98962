"""What every part of the emulator shares: storage, identity of the environment, events, the outbox.

Storage conventions (kinds and unique keys) are listed in :data:`KINDS` so the OAuth endpoints, the seed
and the service handlers agree on where things live.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scalekit_api.v1.events import events_pb2
from scalekit_py.emulator import event_log
from scalekit_py.emulator.store import Store

__all__ = ["KINDS", "EmulatorState", "EventListener", "OutboxMessage"]

# kind -> (stored protobuf message, parent id meaning, unique keys). Documentation for handler authors.
KINDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "organization": ("scalekit.v1.organizations.Organization", "", ("external_id",)),
    # org_settings ids: <org>:session_policy, <org>:branding, <org>:user_management,
    # <org>:default_member_role, <org>:directory_groups:<dir_id>
    "org_settings": ("misc per-organization settings docs, id = '<org_id>:<name>'", "organization id", ()),
    "portal_link": ("scalekit.v1.organizations.Link", "organization id", ()),
    "domain": ("scalekit.v1.domains.Domain", "organization id", ("domain",)),
    "connection": ("scalekit.v1.connections.Connection", "organization id ('' = environment)", ("key_id",)),
    "directory": ("scalekit.v1.directories.Directory", "organization id", ()),
    # directory_user unique "email" = "<directory id>:<lower-cased email>"; directory_group unique
    # "external_id" = "<directory id>:<the IdP's group id>" (what an IdP push is matched by)
    "directory_user": ("scalekit.v1.directories.DirectoryUser", "directory id", ("email",)),
    "directory_group": ("scalekit.v1.directories.DirectoryGroup", "directory id", ("external_id",)),
    "user": ("scalekit.v1.users.User (memberships inside)", "", ("email", "external_id")),
    "session": ("scalekit.v1.sessions.SessionDetails", "user id", ()),
    # role unique key "scope_name" = "<organization id or ''>:<role name>"
    "role": ("scalekit.v1.roles.Role", "organization id ('' = environment)", ("scope_name",)),
    "permission": ("scalekit.v1.roles.Permission", "", ("name",)),
    "passwordless": ("google.protobuf.Struct (hashed code/link, expiry, attempts)", "", ("link_hash",)),
    "login_request": ("scalekit.v1.auth.GetLoginRequestDetailsResponse", "connection id", ()),
    # Private kinds, read only by the module that writes them:
    # OAuth (codes and refresh tokens stored only as SHA-256 digests; meta keys oauth.signing_keys and
    # emulator.seeded hold the signing keys and the seed record):
    "oauth_code": ("google.protobuf.Struct", "", ()),
    "oauth_family": ("google.protobuf.Struct, one refresh-token family", "session id", ()),
    "oauth_refresh": ("google.protobuf.Struct", "family id", ()),
    "oauth_revoked": ("google.protobuf.Struct", "", ()),
    "connection_flags": ("scalekit.v1.connections.Flags, id = connection id", "", ()),
    "connection_test": ("connection test result", "connection id", ()),
    "directory_secret": ("scalekit.v1.directories.Secret", "directory id", ("hash",)),
    "user_invite": ("users.Invite, id '<org_id>:<user_id>'", "user id", ()),
    "login_request_user": ("scalekit.v1.auth.UpdateLoginUserDetailsRequest", "", ()),
    "webauthn_challenge": ("google.protobuf.Struct, id = the challenge", "user id", ()),
    "webauthn_credential": ("scalekit.v1.auth.webauthn.WebAuthnCredential", "user id", ("credential_id",)),
    # The event log (emulator/event_log.py): one record per committed change, read by ListEvents and
    # the webhook sender alike.
    "event": ("scalekit.v1.events.Event", "organization id ('' = environment-wide)", ()),
    # API tokens: only the SHA-256 digest of the opaque token is stored, as the unique key "hash".
    "api_token": ("scalekit.v1.tokens.Token + digest (google.protobuf.Struct)", "organization id", ("hash",)),
    # Client credentials (see scalekit_py/emulator/m2m.py; secrets only as digests):
    "env_client": ("scalekit.v1.clients.Client", "", ()),
    "m2m_client": ("scalekit.v1.clients.M2MClient", "organization id or resource id", ()),
    "client_secret": ("google.protobuf.Struct{digest}, id = secret id", "client id", ()),
    "resource": ("scalekit.v1.clients.Resource", "", ("resource_uri",)),
    "resource_consent": ("scalekit.v1.clients.ResourceUserConsent", "resource id", ()),
    "env_login_uris": ("scalekit.v1.clients.EnvironmentLoginUrisResponse, id 'environment'", "", ()),
    # AgentKit (scalekit_py.emulator.agentkit): providers, tools, connected accounts and their notes,
    # consent links and user-verify requests, MCP configurations, instances, servers and session tokens.
    "ak_provider": (
        "scalekit.v1.providers.Provider (created ones; built-ins are in code)",
        "",
        ("identifier",),
    ),
    "ak_tool": ("scalekit.v1.tools.Tool (created ones)", "provider identifier", ("name",)),
    "ak_account": ("scalekit.v1.connected_accounts.ConnectedAccount", "connector", ("key",)),
    "ak_owner": ("google.protobuf.Struct (organization_id, user_id), id = account id", "", ()),
    "ak_note": ("google.protobuf.Struct, a note of the built-in NOTES connector", "account id", ()),
    "ak_link": ("google.protobuf.Struct, id = SHA-256 of the magic-link token", "account id", ()),
    "ak_auth_request": ("google.protobuf.Struct, a pending user verification", "account id", ()),
    "ak_mcp_config": ("scalekit.v1.mcp.McpConfig", "", ("name",)),
    "ak_mcp_instance": ("scalekit.v1.mcp.McpInstance", "config id", ("name", "config_user")),
    "ak_mcp": ("scalekit.v1.mcp.Mcp", "", ()),
    "ak_mcp_token": ("google.protobuf.Struct, id = SHA-256 of an MCP session token", "", ()),
}


@dataclass(frozen=True)
class OutboxMessage:
    """An email the emulator would have sent (passwordless codes and links, invitations)."""

    to: str
    kind: str
    auth_request_id: str = ""
    code: str = ""
    link: str = ""
    extra: dict[str, str] = field(default_factory=dict)


EventListener = Callable[[events_pb2.Event], None]
"""Called with each recorded event, after its change committed (the webhook sender is one)."""


@dataclass
class EmulatorState:
    """Shared state of one emulator instance.

    Attributes:
        store: the SQLite document store.
        client_id: the environment's admin client id (what client-credentials tokens are issued to).
        env_url: the public URL of the environment, set when the server is bound.
        environment_id: id reported in resources' ``environment_id`` fields.
        listeners: called with each recorded event (see :meth:`emit`); the webhook sender is one.
        muted: while true, :meth:`emit` records and sends nothing (seeding is not an event stream).
        clock: seconds since the epoch; tests may replace it.
        upstream_timeout: seconds the AgentKit proxy and HTTP-backed tools wait for a custom
            provider's upstream before answering 504 / a tool error.
        upstream_ca_file: a PEM file of extra CA certificates the AgentKit proxy trusts for upstreams
            (custom providers' ``proxy_url`` must be https; tests serve a loopback upstream with it).
    """

    store: Store
    client_id: str
    env_url: str = ""
    environment_id: str = "env_emulator"
    listeners: list[EventListener] = field(default_factory=list)
    muted: bool = False
    clock: Callable[[], float] = time.time
    outbox: list[OutboxMessage] = field(default_factory=list)
    upstream_timeout: float = 10.0
    upstream_ca_file: str | None = None
    _outbox_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def emit(self, event_type: str, data: dict[str, Any]) -> events_pb2.Event | None:
        """Record one committed change in the event log, then hand the record to every listener.

        Call it after the change's transaction committed (the service handlers do, for the events they
        queued). The record and its id are what ``ListEvents`` returns and what webhooks deliver.

        Args:
            event_type: e.g. ``"organization.created"``.
            data: the payload; its ``organization_id`` (when set) is the event's organization.

        Returns:
            The stored record (``None`` while :attr:`muted`).
        """
        if self.muted:
            return None
        with self.store.transaction() as tx:
            event = event_log.record(
                tx, event_type, data, occurred_at=self.clock(), environment_id=self.environment_id
            )
        for listener in list(self.listeners):
            listener(event)
        return event

    def send_mail(self, message: OutboxMessage) -> None:
        with self._outbox_lock:
            self.outbox.append(message)

    def mail_to(self, email: str) -> list[OutboxMessage]:
        """Messages sent to one address, oldest first (tests read codes and links here)."""
        with self._outbox_lock:
            return [m for m in self.outbox if m.to.lower() == email.lower()]
