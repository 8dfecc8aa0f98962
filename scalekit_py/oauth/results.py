"""Typed results of the OAuth/OIDC helpers: immutable, with tokens masked in ``repr``.

Each ``from_*`` constructor parses one JSON document and raises ``ValueError`` when a required member
is missing or has the wrong type; the HTTP layer turns that into a ``ServerError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scalekit_py.oauth._mask import fingerprint

__all__ = [
    "AuthenticationResponse",
    "DiscoveryDocument",
    "IdpInitiatedLoginClaims",
    "TokenIntrospection",
    "TokenResponse",
    "User",
]


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key!r} missing or not a non-empty string")
    return value


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _opt_bool(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None


def _str_tuple(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


@dataclass(frozen=True)
class TokenResponse:
    """A successful answer of ``POST /oauth/token`` (RFC 6749 §5.1).

    Attributes:
        access_token: the new access token.
        token_type: usually ``"Bearer"``.
        expires_in: the access token's lifetime in seconds, when the server says.
        refresh_token: the new refresh token. With rotation, the one you sent is now consumed and
            this one replaces it; ``None`` when the server issued none (keep the old one then).
        id_token: an ID token, when the server issued one (not verified by ``refresh_access_token``).
        scope: the granted scopes, when the server says.
        refresh_token_expires_in: the refresh token's own lifetime in seconds, when the server says.
    """

    access_token: str
    token_type: str = "Bearer"
    expires_in: int | None = None
    refresh_token: str | None = None
    id_token: str | None = None
    scope: str | None = None
    refresh_token_expires_in: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TokenResponse:
        """Parse the token endpoint's JSON; raises ``ValueError`` without an ``access_token``."""
        return cls(
            access_token=_str(data, "access_token"),
            token_type=_opt_str(data, "token_type") or "Bearer",
            expires_in=_opt_int(data, "expires_in"),
            refresh_token=_opt_str(data, "refresh_token"),
            id_token=_opt_str(data, "id_token"),
            scope=_opt_str(data, "scope"),
            refresh_token_expires_in=_opt_int(data, "refresh_token_expires_in"),
        )

    def __repr__(self) -> str:
        return (
            f"TokenResponse(access_token={fingerprint(self.access_token)}, token_type={self.token_type!r}, "
            f"expires_in={self.expires_in!r}, refresh_token={fingerprint(self.refresh_token)}, "
            f"id_token={fingerprint(self.id_token)}, scope={self.scope!r})"
        )


# ID token claim -> User attribute (the official SDK's id_token_claim_to_user_map, in snake_case).
_USER_CLAIMS = {
    "sub": "id",
    "name": "name",
    "preferred_username": "username",
    "given_name": "given_name",
    "family_name": "family_name",
    "email": "email",
    "email_verified": "email_verified",
    "phone_number": "phone_number",
    "phone_number_verified": "phone_number_verified",
    "profile": "profile",
    "picture": "picture",
    "gender": "gender",
    "birthdate": "birth_date",
    "zoneinfo": "zone_info",
    "locale": "locale",
    "updated_at": "updated_at",
}


@dataclass(frozen=True)
class User:
    """The signed-in user, from verified ID token claims or the userinfo endpoint.

    Attributes:
        id: the ``sub`` claim (Scalekit user id).
        identities: the ``identities`` claim: one mapping per linked identity (connection id,
            organization id, connection type, provider name, ...), as sent.
        metadata: the ``metadata`` claim, as sent.
        claims: every claim, as sent.
    """

    id: str
    email: str | None = None
    name: str | None = None
    username: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email_verified: bool | None = None
    phone_number: str | None = None
    phone_number_verified: bool | None = None
    profile: str | None = None
    picture: str | None = None
    gender: str | None = None
    birth_date: str | None = None
    zone_info: str | None = None
    locale: str | None = None
    updated_at: str | int | None = None
    identities: tuple[Mapping[str, Any], ...] = ()
    metadata: Any = None
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> User:
        """Build from OIDC standard claims; raises ``ValueError`` without a string ``sub``."""
        values: dict[str, Any] = {}
        for claim, attr in _USER_CLAIMS.items():
            value = claims.get(claim)
            if attr in ("email_verified", "phone_number_verified"):
                values[attr] = _opt_bool(claims, claim)
            elif attr == "updated_at":
                values[attr] = (
                    value if isinstance(value, (str, int)) and not isinstance(value, bool) else None
                )
            elif attr != "id":
                values[attr] = value if isinstance(value, str) else None
        raw_identities = claims.get("identities")
        identities = (
            tuple(i for i in raw_identities if isinstance(i, Mapping))
            if isinstance(raw_identities, list)
            else ()
        )
        return cls(
            id=_str(claims, "sub"),
            identities=identities,
            metadata=claims.get("metadata"),
            claims=dict(claims),
            **values,
        )


@dataclass(frozen=True)
class AuthenticationResponse:
    """Result of ``authenticate_with_code``: the verified user and the tokens.

    Attributes:
        user: the user, from the verified ID token.
        id_token: the ID token (signature, ``iss``, ``aud``, ``exp`` and ``nonce`` verified).
        access_token: the access token.
        refresh_token: the refresh token, when ``offline_access`` was granted.
        expires_in: the access token's lifetime in seconds.
        connection_id: the connection used to log in (first ``amr`` entry), when known.
        organization_id: the user's organization for this login (``oid`` claim), when known.
        token_type: usually ``"Bearer"``.
        scope: the granted scopes, when the server says.
        claims: every claim of the verified ID token.
    """

    user: User
    id_token: str
    access_token: str
    refresh_token: str | None = None
    expires_in: int | None = None
    connection_id: str | None = None
    organization_id: str | None = None
    token_type: str = "Bearer"
    scope: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __repr__(self) -> str:
        return (
            f"AuthenticationResponse(user={self.user!r}, id_token={fingerprint(self.id_token)}, "
            f"access_token={fingerprint(self.access_token)}, "
            f"refresh_token={fingerprint(self.refresh_token)}, "
            f"expires_in={self.expires_in!r}, connection_id={self.connection_id!r}, "
            f"organization_id={self.organization_id!r})"
        )


@dataclass(frozen=True)
class IdpInitiatedLoginClaims:
    """Verified claims of an IdP-initiated login token: start an SP-initiated login with them.

    Attributes:
        connection_id: the connection the identity provider used.
        organization_id: the organization of that connection.
        login_hint: the user's email, to pass on as ``login_hint``.
        relay_state: the IdP's relay state, to pass on as ``state``.
        claims: every claim of the verified token.
    """

    connection_id: str | None
    organization_id: str | None
    login_hint: str | None
    relay_state: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> IdpInitiatedLoginClaims:
        """Pick the four documented claims out of verified claims."""
        return cls(
            connection_id=_opt_str(claims, "connection_id"),
            organization_id=_opt_str(claims, "organization_id"),
            login_hint=_opt_str(claims, "login_hint"),
            relay_state=_opt_str(claims, "relay_state"),
            claims=dict(claims),
        )


@dataclass(frozen=True)
class TokenIntrospection:
    """Result of token introspection (RFC 7662 §2.2). Only ``active`` is always present.

    Attributes:
        active: whether the token is currently valid (not expired, not revoked).
        claims: every member of the answer, as sent.
    """

    active: bool
    scope: str | None = None
    client_id: str | None = None
    username: str | None = None
    token_type: str | None = None
    exp: int | None = None
    iat: int | None = None
    nbf: int | None = None
    sub: str | None = None
    aud: tuple[str, ...] = ()
    iss: str | None = None
    jti: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TokenIntrospection:
        """Parse an introspection answer; raises ``ValueError`` when ``active`` is not a boolean."""
        active = data.get("active")
        if not isinstance(active, bool):
            raise ValueError("'active' missing or not a boolean")
        return cls(
            active=active,
            scope=_opt_str(data, "scope"),
            client_id=_opt_str(data, "client_id"),
            username=_opt_str(data, "username"),
            token_type=_opt_str(data, "token_type"),
            exp=_opt_int(data, "exp"),
            iat=_opt_int(data, "iat"),
            nbf=_opt_int(data, "nbf"),
            sub=_opt_str(data, "sub"),
            aud=_str_tuple(data, "aud"),
            iss=_opt_str(data, "iss"),
            jti=_opt_str(data, "jti"),
            claims=dict(data),
        )


@dataclass(frozen=True)
class DiscoveryDocument:
    """The OpenID Provider metadata (``/.well-known/openid-configuration``).

    Attributes:
        raw: the whole document, as sent.
    """

    issuer: str
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    jwks_uri: str | None = None
    userinfo_endpoint: str | None = None
    end_session_endpoint: str | None = None
    introspection_endpoint: str | None = None
    revocation_endpoint: str | None = None
    scopes_supported: tuple[str, ...] = ()
    response_types_supported: tuple[str, ...] = ()
    grant_types_supported: tuple[str, ...] = ()
    id_token_signing_alg_values_supported: tuple[str, ...] = ()
    code_challenge_methods_supported: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DiscoveryDocument:
        """Parse the metadata; raises ``ValueError`` without an ``issuer``."""
        return cls(
            issuer=_str(data, "issuer"),
            authorization_endpoint=_opt_str(data, "authorization_endpoint"),
            token_endpoint=_opt_str(data, "token_endpoint"),
            jwks_uri=_opt_str(data, "jwks_uri"),
            userinfo_endpoint=_opt_str(data, "userinfo_endpoint"),
            end_session_endpoint=_opt_str(data, "end_session_endpoint"),
            introspection_endpoint=_opt_str(data, "introspection_endpoint"),
            revocation_endpoint=_opt_str(data, "revocation_endpoint"),
            scopes_supported=_str_tuple(data, "scopes_supported"),
            response_types_supported=_str_tuple(data, "response_types_supported"),
            grant_types_supported=_str_tuple(data, "grant_types_supported"),
            id_token_signing_alg_values_supported=_str_tuple(data, "id_token_signing_alg_values_supported"),
            code_challenge_methods_supported=_str_tuple(data, "code_challenge_methods_supported"),
            raw=dict(data),
        )
