"""Connection documents: storage kinds, status rules, summaries, test results and the merge rule.

Shared by :mod:`.connections` (the ConnectionService handlers) and the organization cascade.
"""

from __future__ import annotations

from typing import TypeVar

from google.protobuf.message import Message

from scalekit_api.v1.connections import connections_pb2 as pb
from scalekit_py.emulator.services._base import (
    new_id,
)
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Tx

KIND = "connection"
FLAGS = "connection_flags"
TEST = "connection_test"

# Which member of the ``settings`` oneof a connection type uses.
SETTINGS_FOR_TYPE: dict[int, str] = {
    pb.OIDC: "oidc_config",
    pb.SAML: "saml_config",
    pb.OAUTH: "oauth_config",
    pb.OAUTH_M2M: "oauth_config",
    pb.TRELLO_OAUTH1: "oauth_config",
    pb.SMART_FHIR: "oauth_config",
    pb.PASSWORDLESS: "passwordless_config",
    pb.WEBAUTHN: "webauthn_config",
    pb.GOOGLE_DWD: "google_dwd_config",
}
_SECRET_FIELDS = {"oidc_config": ("client_secret",), "oauth_config": ("client_secret",)}
# Fields a ListConnection copies from its Connection.
_SUMMARY_FIELDS: tuple[str, ...] = ("id", "provider", "type", "status", "enabled", "organization_id")
_SUMMARY_FIELDS += ("ui_button_title", "provider_key", "key_id", "auth_mode")
R = TypeVar("R", bound=Message)


def delete_connection_tree(tx: Tx, connection_id: str) -> None:
    """Remove a connection and its flags (its test results become unreachable)."""
    tx.delete(KIND, connection_id)
    tx.delete(FLAGS, connection_id)


def record_connection_test(
    state: EmulatorState,
    connection_id: str,
    *,
    success: bool = True,
    user_info: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> str:
    """Store the outcome of a test login on a connection, as the IdP round trip would.

    Args:
        state: the emulator's state.
        connection_id: the tested connection.
        success: SUCCESS when true, else FAILURE.
        user_info: JSON of the user the IdP returned.
        error: error code of a failed test; error_description its text.

    Returns:
        The test request id (``test_…``) to pass to ``GetConnectionTestResult``.

    Raises:
        KeyError: the connection does not exist.
    """
    result = pb.GetConnectionTestResultResponse(status=pb.SUCCESS if success else pb.FAILURE)
    for name, value in (("user_info", user_info), ("error", error), ("error_description", error_description)):
        if value is not None:
            setattr(result, name, value)
    test_id = new_id("test")
    with state.store.transaction() as tx:
        if tx.get(KIND, connection_id, pb.Connection) is None:
            raise KeyError(connection_id)
        tx.insert(TEST, test_id, result, parent=connection_id)
    return test_id


def _complete(conn: pb.Connection) -> bool | None:
    """True when configured enough to log in, False when not, None when nothing was configured yet."""
    if conn.type == pb.OIDC:
        c = conn.oidc_config
        endpoint = (
            c.issuer.value or c.discovery_endpoint.value or (c.authorize_uri.value and c.token_uri.value)
        )
        started = any(c.HasField(f) for f in ("issuer", "discovery_endpoint", "authorize_uri", "client_id"))
        return bool(endpoint and c.client_id.value and c.client_secret.value) or (
            None if not started else False
        )
    if conn.type == pb.SAML:
        s = conn.saml_config
        done = bool(s.idp_metadata_url.value) or bool(
            s.idp_entity_id.value and s.idp_sso_url.value and s.idp_certificates
        )
        started = bool(s.idp_entity_id.value or s.idp_sso_url.value or s.idp_certificates)
        return done or (None if not started else False)
    if conn.type == pb.OAUTH:
        o = conn.oauth_config
        return bool(o.use_platform_creds.value or (o.client_id.value and o.client_secret.value))
    return True


def _refresh_status(conn: pb.Connection) -> None:
    done = _complete(conn)
    conn.status = pb.COMPLETED if done else pb.DRAFT if done is None else pb.IN_PROGRESS


def _matches(c: pb.Connection, query: str, provider: str, *extra: str) -> bool:
    """The provider filter (enum name or provider key) and a case-insensitive query over the texts."""
    name = pb.ConnectionProvider.Name(c.provider).lower()
    if provider and provider not in (name, c.provider_key.lower()):
        return False
    texts = (c.id, c.provider_key, c.key_id, c.ui_button_title, name, *extra)
    return not query or any(query in t.lower() for t in texts)


def _mask(value: str) -> str:
    return "*" * 8 + value[-4:] if len(value) > 8 else "*" * 8


def _merge(dst: Message, src: Message) -> None:
    """Overwrite ``dst`` with every field set in ``src``; repeated fields and maps are replaced."""
    for f, value in src.ListFields():
        if f.is_repeated:
            dst.ClearField(f.name)
            target = getattr(dst, f.name)
            if f.message_type is not None and f.message_type.GetOptions().map_entry:
                target.update(value)
            else:
                target.extend(value)
        elif isinstance(value, Message):
            getattr(dst, f.name).CopyFrom(value)
        else:
            setattr(dst, f.name, value)
