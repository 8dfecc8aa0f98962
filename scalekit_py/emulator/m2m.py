"""Client credentials kept in the store: environment, organization (M2M) and resource clients.

The environment's admin client (``--client-id``) and those registered with ``Emulator.add_client`` live
in :class:`~scalekit_py.emulator.tokens.Tokens`; every client created through ``ClientService`` lives
here, so it survives restarts with ``--db``. Secrets are stored only as SHA-256 digests; a client
message shows each secret's id, status and last four characters (``secret_suffix``), never the secret.

==================  ============================  ====================================================
kind                id                            content (parent)
==================  ============================  ====================================================
``env_client``      ``skc_...``                   ``clients.Client``
``m2m_client``      ``m2morg_...`` / ``m2m_...``  ``clients.M2MClient`` (organization id / resource id)
``client_secret``   ``sec_...``                   ``Struct{digest}`` (client id)
``resource``        ``res_...``                   ``clients.Resource`` (unique: ``resource_uri``)
``resource_consent``  ``usrcnst_...``             ``clients.ResourceUserConsent`` (resource id)
``env_login_uris``  ``environment``               ``clients.EnvironmentLoginUrisResponse``
==================  ============================  ====================================================

Who may do what: an environment client is an admin principal (it may call the admin API); an
organization client or a resource client may only get tokens for itself, which carry its
organization (``oid``), scopes, audience, custom claims and lifetime.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable, MutableSequence
from dataclasses import dataclass, field

from google.protobuf.struct_pb2 import Struct
from google.protobuf.timestamp_pb2 import Timestamp

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py.emulator import _status
from scalekit_py.emulator.store import Tx, new_id, secret_digest

__all__ = [
    "CLIENT",
    "CONSENT",
    "ENV_CLIENT",
    "LOGIN_URIS",
    "MAX_SECRETS",
    "RESERVED_CLAIMS",
    "RESOURCE",
    "SECRET",
    "Principal",
    "add_secret",
    "authenticate",
    "drop_secrets",
    "find_principal",
    "record_consent",
    "remove_secret",
    "token_grant",
]

ENV_CLIENT, CLIENT, SECRET = "env_client", "m2m_client", "client_secret"
RESOURCE, CONSENT, LOGIN_URIS = "resource", "resource_consent", "env_login_uris"
MAX_SECRETS = 5
# Claims a client's custom claims may not replace: the token's identity and validity.
RESERVED_CLAIMS = frozenset(
    {"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "oid", "scope", "scopes", "sid"}
)


@dataclass(frozen=True)
class Principal:
    """A client authenticated from the store, with what its tokens carry.

    Attributes:
        kind: ``"environment"`` (an admin client), ``"application"`` (an environment client without
            Scalekit API access), ``"organization"`` or ``"resource"``.
        expiry: access-token lifetime in seconds (0: the emulator's default).
    """

    client_id: str
    kind: str
    organization_id: str = ""
    resource_id: str = ""
    scopes: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    custom_claims: tuple[tuple[str, str], ...] = ()
    expiry: int = 0
    redirect_uris: tuple[str, ...] = field(default=())

    @property
    def is_admin(self) -> bool:
        return self.kind == "environment"


def add_secret(tx: Tx, client_id: str, held: MutableSequence[pb.ClientSecret], now: Timestamp) -> str:
    """Create a secret for a client whose secrets are ``held`` (appended to); return it in plain text.

    Raises:
        ConnectError: INVALID_ARGUMENT when the client already holds :data:`MAX_SECRETS` secrets.
    """
    if len(held) >= MAX_SECRETS:
        raise _status.invalid_argument(
            [("client_id", f"only {MAX_SECRETS} secrets are allowed per client", "secrets.max_items")]
        )
    plain = f"sks_{secrets.token_urlsafe(32)}"
    secret = pb.ClientSecret(id=new_id("sec"), secret_suffix=plain[-4:], status=pb.ACTIVE)
    secret.create_time.CopyFrom(now)
    secret.update_time.CopyFrom(now)
    record = Struct()
    record.update({"digest": secret_digest(plain)})
    tx.insert(SECRET, secret.id, record, parent=client_id)
    held.append(secret)
    return plain


def remove_secret(
    tx: Tx, held: MutableSequence[pb.ClientSecret], secret_id: str, *, keep_one: bool
) -> pb.ClientSecret:
    """Remove one of the ``held`` secrets (and its digest): it stops working at once.

    Raises:
        ConnectError: NOT_FOUND for an unknown secret; INVALID_ARGUMENT for the last one with ``keep_one``.
    """
    index = next((i for i, s in enumerate(held) if s.id == secret_id), None)
    if index is None:
        raise _status.not_found("client secret", secret_id)
    if keep_one and len(held) == 1:
        raise _status.invalid_argument(
            [("secret_id", "at least one secret is required", "secrets.min_items")]
        )
    removed = held[index]
    del held[index]
    tx.delete(SECRET, secret_id)
    return removed


def drop_secrets(tx: Tx, held: Iterable[pb.ClientSecret]) -> None:
    """Delete the digests of every secret of a client being deleted."""
    for secret in held:
        tx.delete(SECRET, secret.id)


def _matching_secret(tx: Tx, held: Iterable[pb.ClientSecret], presented: str) -> str:
    """The id of the active secret ``presented`` is ('' when none); every candidate is compared."""
    matched = ""
    for secret in held:
        if secret.status != pb.ACTIVE:
            continue
        record = tx.get(SECRET, secret.id, Struct)
        if record is not None and hmac.compare_digest(secret_digest(presented), str(record["digest"])):
            matched = secret.id
    return matched


def _mark_used(tx: Tx, client_id: str, secret_id: str, now: float) -> None:
    """Set ``last_used_time`` of one secret of a stored client."""
    doc: pb.Client | pb.M2MClient | None = tx.get(ENV_CLIENT, client_id, pb.Client)
    kind = ENV_CLIENT
    if doc is None:
        doc, kind = tx.get(CLIENT, client_id, pb.M2MClient), CLIENT
    if doc is None:
        return
    for secret in doc.secrets:
        if secret.id == secret_id:
            secret.last_used_time.FromNanoseconds(int(now * 1e9))
    tx.update(kind, client_id, doc)


def find_principal(tx: Tx, client_id: str) -> tuple[Principal, list[pb.ClientSecret]] | None:
    """The stored client ``client_id`` as a principal, with its secrets; ``None`` when there is none."""
    env = tx.get(ENV_CLIENT, client_id, pb.Client)
    if env is not None:
        principal = Principal(
            client_id=env.id,
            # Without Scalekit API access an environment client is an application, not an admin.
            kind="application" if env.disallow_scalekit_api_access else "environment",
            scopes=tuple(env.scopes),
            custom_claims=tuple((c.key, c.value) for c in env.custom_claims),
            expiry=env.access_token_expiry,
        )
        return principal, list(env.secrets)
    m2m = tx.get(CLIENT, client_id, pb.M2MClient)
    if m2m is None:
        return None
    expiry = m2m.expiry
    audience = tuple(m2m.audience)
    if m2m.resource_id:
        resource = tx.get(RESOURCE, m2m.resource_id, pb.Resource)
        if resource is None:
            return None
        expiry = expiry or resource.access_token_expiry
        audience = audience or (resource.resource_uri or resource.id,)
    principal = Principal(
        client_id=m2m.client_id,
        kind="organization" if m2m.organization_id else "resource",
        organization_id=m2m.organization_id,
        resource_id=m2m.resource_id,
        scopes=tuple(m2m.scopes),
        audience=audience,
        custom_claims=tuple((c.key, c.value) for c in m2m.custom_claims),
        expiry=expiry,
        redirect_uris=tuple(m2m.redirect_uris),
    )
    return principal, list(m2m.secrets)


def authenticate(tx: Tx, client_id: str, secret: str, *, now: float | None = None) -> Principal | None:
    """The stored client when ``secret`` is one of its active secrets, else ``None``.

    With ``now``, the secret's ``last_used_time`` is set (a successful authentication is a use).
    """
    found = find_principal(tx, client_id)
    secret_id = _matching_secret(tx, found[1], secret) if found is not None else ""
    if found is None or not secret_id:
        return None
    if now is not None:
        _mark_used(tx, client_id, secret_id, now)
    return found[0]


def token_grant(principal: Principal, requested: list[str]) -> tuple[list[str], dict[str, object]]:
    """The scopes and extra claims of a client-credentials token for a stored client.

    An environment client gets the scopes it asks for (like the admin client). An organization or
    resource client gets its own scopes, or the subset it asks for; its token names its audience,
    organization (``oid``) and custom claims.

    Raises:
        ValueError: a requested scope is not one of the client's (the token endpoint's ``invalid_scope``).
    """
    extra: dict[str, object] = {k: v for k, v in principal.custom_claims if k not in RESERVED_CLAIMS}
    if principal.is_admin:
        return requested, extra
    allowed = list(principal.scopes)
    unknown = [s for s in requested if s not in allowed]
    if unknown:
        raise ValueError(f"scope {unknown[0]!r} is not granted to this client")
    if principal.audience:
        extra["aud"] = list(principal.audience)
    if principal.organization_id:
        extra["oid"] = principal.organization_id
    return requested or allowed, extra


def record_consent(
    tx: Tx, client_id: str, external_user_id: str, scopes: Iterable[str], now: float
) -> pb.ResourceUserConsent | None:
    """Record that a user authorised a resource client (a repeat widens the scopes and renews the
    grant time); ``None`` when ``client_id`` is not a resource client.

    Raises:
        ConnectError: NOT_FOUND when the client is a resource client whose resource is gone.
    """
    client = tx.get(CLIENT, client_id, pb.M2MClient)
    if client is None or not client.resource_id:
        return None
    resource = tx.get(RESOURCE, client.resource_id, pb.Resource)
    if resource is None:
        raise _status.not_found("resource", client.resource_id)
    key = f"{client_id}:{external_user_id}"  # one consent per (client, user): its unique key
    existing = tx.find(CONSENT, "client_user", key, pb.ResourceUserConsent)
    consent = existing or pb.ResourceUserConsent(
        id=new_id("usrcnst"), external_user_id=external_user_id, client_id=client_id
    )
    consent.client_name = client.name
    consent.scopes[:] = list(dict.fromkeys([*consent.scopes, *scopes]))
    consent.granted_at.FromNanoseconds(int(now * 1e9))
    if existing is None:
        tx.insert(CONSENT, consent.id, consent, parent=resource.id, unique={"client_user": key})
    else:
        tx.update(CONSENT, consent.id, consent)
    return consent
