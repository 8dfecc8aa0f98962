"""Pure argument checks and conversions of ``client.actions`` (shared by both flavours)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.tools import tools_pb2

__all__ = [
    "authorization_details",
    "check_account_selector",
    "required",
    "response_with_data",
    "struct_to_dict",
]


def required(name: str, value: object) -> str:
    """``value`` if it is a non-empty string.

    Raises:
        ValueError: it is missing or empty (the official SDK raises ``ValueError`` here too).
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} is required")
    return value


def check_account_selector(identifier: str | None, connected_account_id: str | None) -> None:
    """A tool runs for ``connected_account_id`` or for ``identifier`` (+ ``connection_name``): one of them.

    Raises:
        ValueError: neither or both are given.
    """
    if not identifier and not connected_account_id:
        raise ValueError("give connected_account_id, or identifier (with connection_name)")
    if identifier and connected_account_id:
        raise ValueError("give connected_account_id or identifier, not both")


def authorization_details(
    value: ca_pb.AuthorizationDetails | Mapping[str, Any] | None,
) -> ca_pb.AuthorizationDetails | None:
    """Credentials as the message: given as one, or as its JSON form, e.g.
    ``{"oauth_token": {"access_token": "...", "refresh_token": "...", "scopes": [...]}}`` or
    ``{"static_auth": {"details": {"api_key": "..."}}}``.

    Raises:
        ValueError: the mapping is not a valid ``AuthorizationDetails``.
        TypeError: neither a message nor a mapping.
    """
    if value is None or isinstance(value, ca_pb.AuthorizationDetails):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"authorization_details must be AuthorizationDetails or a dict, not {type(value).__name__}"
        )
    try:
        return json_format.ParseDict(dict(value), ca_pb.AuthorizationDetails())
    except json_format.ParseError as exc:
        raise ValueError(f"invalid authorization_details: {exc}") from None


def struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A Struct as plain Python values (JSON numbers come back as ``float``, as Struct stores them)."""
    return json_format.MessageToDict(struct)


def response_with_data(
    response: tools_pb2.ExecuteToolResponse, data: Mapping[str, Any]
) -> tools_pb2.ExecuteToolResponse:
    """A copy of ``response`` whose ``data`` is ``data`` (the output after post-modifiers).

    Raises:
        TypeError: ``data`` is not JSON-like (a modifier returned something a Struct cannot hold).
    """
    out = tools_pb2.ExecuteToolResponse(execution_id=response.execution_id)
    try:
        out.data.update(dict(data))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"a post-modifier returned data that is not JSON-like: {exc}") from None
    return out
