"""MCP configurations, per-user instances and session tokens: the rules McpService applies.

A configuration maps connections (connector names) to some of their tools; its
``connection_tool_mappings`` are checked against the catalogue and completed with the connection id and
provider. An instance binds a configuration to one user identifier (one instance per configuration and
user). The auth state of a configuration for a user lists, per connection, that user's connected
account and its status, and (when asked) a consent link, creating a pending account when there is none.
Session tokens are opaque bearer tokens stored as SHA-256 digests.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from connectrpc.errors import ConnectError
from google.protobuf import json_format, struct_pb2

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.mcp import mcp_pb2 as pb
from scalekit_py.emulator import _status
from scalekit_py.emulator.agentkit import accounts, catalogue, consent
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Tx, secret_digest

__all__ = [
    "CONFIG_KIND",
    "INSTANCE_KIND",
    "MCP_KIND",
    "TOKEN_KIND",
    "auth_states",
    "checked_mappings",
    "config_named",
    "instance_view",
    "mint_token",
    "session",
]

CONFIG_KIND = "ak_mcp_config"
INSTANCE_KIND = "ak_mcp_instance"
MCP_KIND = "ak_mcp"
TOKEN_KIND = "ak_mcp_token"
_ACCESS_LEVELS = ("", "FULL", "READ_ONLY")


def checked_mappings(
    tx: Tx, mappings: Iterable[pb.McpConfigConnectionToolMapping], field: str = "connection_tool_mappings"
) -> list[pb.McpConfigConnectionToolMapping]:
    """The mappings completed with connection id and provider; INVALID_ARGUMENT naming each bad one."""
    out, bad = [], []
    for index, mapping in enumerate(mappings):
        name = mapping.connection_name or mapping.connection_id
        provider = catalogue.provider_for_connector(tx, name) if name else None
        if provider is None:
            bad.append((f"{field}[{index}].connection_name", f"no connection {name!r}", "connection"))
            continue
        known = {catalogue.definition(t).get("name") for t in catalogue.tools_of(tx, provider.identifier)}
        for tool in mapping.tools:
            if tool not in known:
                bad.append(
                    (f"{field}[{index}].tools", f"{tool!r} is not a tool of {provider.identifier}", "tool")
                )
        out.append(
            pb.McpConfigConnectionToolMapping(
                connection_id=catalogue.connection_id(provider),
                connection_name=catalogue.connector_of(provider),
                provider=provider.identifier,
                tools=list(mapping.tools),
            )
        )
    if bad:
        raise _status.invalid_argument(bad)
    return out


def config_named(tx: Tx, name: str) -> pb.McpConfig:
    config = tx.find(CONFIG_KIND, "name", name, pb.McpConfig)
    if config is None:
        raise _status.not_found("MCP configuration", name)
    return config


def instance_view(tx: Tx, instance: pb.McpInstance) -> pb.McpInstance:
    """The instance with its current configuration embedded."""
    out = pb.McpInstance()
    out.CopyFrom(instance)
    config = tx.get(CONFIG_KIND, tx.parent_of(INSTANCE_KIND, instance.id) or "", pb.McpConfig)
    if config is not None:
        out.config.CopyFrom(config)
    return out


def auth_states(
    tx: Tx, state: EmulatorState, config: pb.McpConfig, identifier: str, with_links: bool
) -> list[pb.McpConnectionAuthState]:
    """Per connection of ``config``: ``identifier``'s account, its status, a consent link (``with_links``)."""
    out = []
    for mapping in config.connection_tool_mappings:
        item = pb.McpConnectionAuthState(
            connection_id=mapping.connection_id,
            connection_name=mapping.connection_name,
            provider=mapping.provider,
        )
        try:
            account: ca_pb.ConnectedAccount | None = accounts.select(
                tx, connector=mapping.connection_name, identifier=identifier
            )
        except ConnectError:
            account = None
        if account is None and with_links:
            account = accounts.create(tx, state, connector=mapping.connection_name, identifier=identifier)
        if account is not None:
            item.connected_account_id = account.id
            item.connected_account_status = accounts.status_name(account.status)
        else:
            item.connected_account_id = ""
        if with_links and account is not None:
            item.authentication_link, _ = consent.magic_link(tx, state, account)
        out.append(item)
    return out


def mint_token(tx: Tx, state: EmulatorState, request: pb.CreateMcpSessionTokenRequest) -> tuple[str, float]:
    """A new session token for a configuration (``mcp_config_id``) or a connection (``key_id``).

    Raises:
        ConnectError: INVALID_ARGUMENT (target, expiry or access level), NOT_FOUND (target).
    """
    if bool(request.mcp_config_id) == bool(request.key_id):
        raise _status.invalid_argument(
            [("mcp_config_id", "give mcp_config_id or key_id, exactly one", "oneof")]
        )
    if request.access_level not in _ACCESS_LEVELS:
        raise _status.invalid_argument([("access_level", "must be FULL or READ_ONLY", "enum")])
    seconds = request.expiry.seconds if request.HasField("expiry") else 3600
    if not 60 <= seconds <= 86400:
        raise _status.invalid_argument([("expiry", "must be between 60 seconds and 24 hours", "duration")])
    if request.mcp_config_id:
        if tx.get(CONFIG_KIND, request.mcp_config_id, pb.McpConfig) is None:
            raise _status.not_found("MCP configuration", request.mcp_config_id)
        target = f"config:{request.mcp_config_id}"
    else:
        provider = catalogue.provider_for_connector(tx, request.key_id)
        if provider is None:
            raise _status.not_found("connection", request.key_id)
        target = f"connection:{catalogue.connector_of(provider)}"
    token = f"mcp_st_{secrets.token_urlsafe(24)}"
    exp = state.clock() + seconds
    doc = struct_pb2.Struct()
    doc.update(
        {
            "target": target,
            "identifier": request.identifier,
            "exp": exp,
            "access_level": request.access_level or "FULL",
        }
    )
    tx.insert(TOKEN_KIND, secret_digest(token), doc)
    return token, exp


def session(tx: Tx, state: EmulatorState, token: str) -> dict[str, Any] | None:
    """The claims of a valid session token (``target``, ``identifier``, ``access_level``), else None."""
    doc = tx.get(TOKEN_KIND, secret_digest(token), struct_pb2.Struct)
    if doc is None:
        return None
    data = json_format.MessageToDict(doc)
    return data if float(data["exp"]) > state.clock() else None
