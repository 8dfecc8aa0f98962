"""Pure request building and response parsing for the OAuth/OIDC HTTP endpoints.

The sync and async clients only move bytes: they send what these functions build and hand the
status, body and headers back to them. Failures map through :mod:`scalekit_py._errmap`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scalekit_py import _errmap, errors
from scalekit_py.oauth._mask import fingerprint
from scalekit_py.oauth.results import (
    AuthenticationResponse,
    DiscoveryDocument,
    TokenIntrospection,
    TokenResponse,
    User,
)

__all__ = [
    "DISCOVERY_PATH",
    "INTROSPECT_PATH",
    "JWKS_PATH",
    "REVOKE_PATH",
    "TOKEN_PATH",
    "USERINFO_PATH",
    "HttpRequest",
    "authentication_response",
    "code_exchange_request",
    "discovery_request",
    "introspect_request",
    "jwks_request",
    "parse_discovery",
    "parse_introspection",
    "parse_json",
    "parse_revocation",
    "parse_token_response",
    "parse_userinfo",
    "refresh_request",
    "require_id_token",
    "revoke_request",
    "userinfo_request",
]

TOKEN_PATH = "/oauth/token"
INTROSPECT_PATH = "/oauth/introspect"
REVOKE_PATH = "/oauth/revoke"
USERINFO_PATH = "/userinfo"
JWKS_PATH = "/keys"
DISCOVERY_PATH = "/.well-known/openid-configuration"

_SECRET_FIELDS = frozenset({"client_secret", "code", "code_verifier", "refresh_token", "token"})


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request to an OAuth endpoint, relative to the environment URL.

    Attributes:
        method: ``"GET"`` or ``"POST"``.
        path: path below the environment URL.
        form: ``application/x-www-form-urlencoded`` body fields (POST only).
        headers: extra headers.
        endpoint: a short name for messages.
    """

    method: str
    path: str
    endpoint: str
    form: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()

    def __repr__(self) -> str:
        form = {k: fingerprint(v) if k in _SECRET_FIELDS else v for k, v in self.form}
        headers = {k: "<redacted>" if k.lower() == "authorization" else v for k, v in self.headers}
        return f"HttpRequest({self.method} {self.path}, form={form}, headers={headers})"


def _client_auth(client_id: str, client_secret: str) -> tuple[tuple[str, str], ...]:
    return (("client_id", client_id), ("client_secret", client_secret))


def code_exchange_request(
    client_id: str, client_secret: str, code: str, redirect_uri: str, code_verifier: str | None = None
) -> HttpRequest:
    """``POST /oauth/token`` with ``grant_type=authorization_code`` (plus the PKCE verifier, if any)."""
    form = (
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        *_client_auth(client_id, client_secret),
    )
    if code_verifier:
        form = (*form, ("code_verifier", code_verifier))
    return HttpRequest("POST", TOKEN_PATH, "token", form=form)


def refresh_request(client_id: str, client_secret: str, refresh_token: str) -> HttpRequest:
    """``POST /oauth/token`` with ``grant_type=refresh_token``."""
    form = (
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        *_client_auth(client_id, client_secret),
    )
    return HttpRequest("POST", TOKEN_PATH, "token", form=form)


def client_credentials_request(
    client_id: str, client_secret: str, scopes: Sequence[str] | None = None
) -> HttpRequest:
    """``POST /oauth/token`` with ``grant_type=client_credentials`` (and ``scope``, space-separated)."""
    form: tuple[tuple[str, str], ...] = (
        ("grant_type", "client_credentials"),
        *_client_auth(client_id, client_secret),
    )
    if scopes:
        form = (*form, ("scope", " ".join(scopes)))
    return HttpRequest("POST", TOKEN_PATH, "token", form=form)


def _token_form(
    client_id: str, client_secret: str, token: str, token_type_hint: str | None
) -> tuple[tuple[str, str], ...]:
    form: tuple[tuple[str, str], ...] = (("token", token),)
    if token_type_hint:
        form = (*form, ("token_type_hint", token_type_hint))
    return (*form, *_client_auth(client_id, client_secret))


def introspect_request(
    client_id: str, client_secret: str, token: str, token_type_hint: str | None = None
) -> HttpRequest:
    """``POST /oauth/introspect`` (RFC 7662)."""
    form = _token_form(client_id, client_secret, token, token_type_hint)
    return HttpRequest("POST", INTROSPECT_PATH, "introspection", form=form)


def revoke_request(
    client_id: str, client_secret: str, token: str, token_type_hint: str | None = None
) -> HttpRequest:
    """``POST /oauth/revoke`` (RFC 7009)."""
    form = _token_form(client_id, client_secret, token, token_type_hint)
    return HttpRequest("POST", REVOKE_PATH, "revocation", form=form)


def userinfo_request(access_token: str) -> HttpRequest:
    """``GET /userinfo`` with the user's access token as bearer."""
    return HttpRequest(
        "GET", USERINFO_PATH, "userinfo", headers=(("authorization", f"Bearer {access_token}"),)
    )


def jwks_request() -> HttpRequest:
    """``GET /keys``."""
    return HttpRequest("GET", JWKS_PATH, "JWKS")


def discovery_request() -> HttpRequest:
    """``GET /.well-known/openid-configuration``."""
    return HttpRequest("GET", DISCOVERY_PATH, "discovery")


def parse_json(status: int, body: bytes, headers: Mapping[str, str], *, endpoint: str) -> Any:
    """The decoded JSON of a 2xx answer.

    Raises:
        OAuthError, RateLimitError, ServerError: a non-2xx answer, mapped by ``from_oauth_response``.
        ServerError: a 2xx answer whose body is not JSON.
    """
    if not 200 <= status < 300:
        raise _errmap.from_oauth_response(status, body, headers)
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise errors.ServerError(f"the {endpoint} endpoint returned a body that is not JSON") from None


def _parse_object(status: int, body: bytes, headers: Mapping[str, str], *, endpoint: str) -> dict[str, Any]:
    data = parse_json(status, body, headers, endpoint=endpoint)
    if not isinstance(data, dict):
        raise errors.ServerError(f"the {endpoint} endpoint returned JSON that is not an object")
    return data


def parse_token_response(status: int, body: bytes, headers: Mapping[str, str]) -> TokenResponse:
    """A token endpoint answer as a :class:`TokenResponse`.

    Raises:
        OAuthError: the server refused the grant (e.g. ``invalid_grant``).
        ServerError: a malformed answer.
    """
    data = _parse_object(status, body, headers, endpoint="token")
    try:
        return TokenResponse.from_json(data)
    except ValueError as exc:
        raise errors.ServerError(f"the token endpoint returned a malformed answer ({exc})") from None


def parse_introspection(status: int, body: bytes, headers: Mapping[str, str]) -> TokenIntrospection:
    """An introspection answer (RFC 7662 §2.2)."""
    data = _parse_object(status, body, headers, endpoint="introspection")
    try:
        return TokenIntrospection.from_json(data)
    except ValueError as exc:
        raise errors.ServerError(f"the introspection endpoint returned a malformed answer ({exc})") from None


def parse_revocation(status: int, body: bytes, headers: Mapping[str, str]) -> None:
    """A revocation answer: any 2xx is success (RFC 7009 §2.2), whatever the body."""
    if not 200 <= status < 300:
        raise _errmap.from_oauth_response(status, body, headers)


def parse_userinfo(status: int, body: bytes, headers: Mapping[str, str]) -> User:
    """A userinfo answer as a :class:`User`."""
    data = _parse_object(status, body, headers, endpoint="userinfo")
    try:
        return User.from_claims(data)
    except ValueError as exc:
        raise errors.ServerError(f"the userinfo endpoint returned a malformed answer ({exc})") from None


def parse_discovery(status: int, body: bytes, headers: Mapping[str, str]) -> DiscoveryDocument:
    """The OpenID Provider metadata."""
    data = _parse_object(status, body, headers, endpoint="discovery")
    try:
        return DiscoveryDocument.from_json(data)
    except ValueError as exc:
        raise errors.ServerError(f"the discovery endpoint returned a malformed answer ({exc})") from None


def require_id_token(tokens: TokenResponse) -> str:
    """The ID token of a code-exchange answer.

    Raises:
        TokenValidationError: the answer has none (the ``openid`` scope was not requested).
    """
    if tokens.id_token is None:
        raise errors.TokenValidationError("the token response has no id_token (request the 'openid' scope)")
    return tokens.id_token


def authentication_response(tokens: TokenResponse, id_claims: Mapping[str, Any]) -> AuthenticationResponse:
    """Combine a token answer and its verified ID token claims.

    ``connection_id`` is the first ``amr`` entry and ``organization_id`` the ``oid`` claim, as in the
    official SDK.

    Raises:
        TokenValidationError: the ID token has no ``sub``.
    """
    id_token = require_id_token(tokens)
    try:
        user = User.from_claims(id_claims)
    except ValueError:
        raise errors.TokenValidationError("the ID token has no 'sub' claim") from None
    amr = id_claims.get("amr")
    connection_id = amr[0] if isinstance(amr, list) and amr and isinstance(amr[0], str) else None
    oid = id_claims.get("oid")
    return AuthenticationResponse(
        user=user,
        id_token=id_token,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
        connection_id=connection_id,
        organization_id=oid if isinstance(oid, str) else None,
        token_type=tokens.token_type,
        scope=tokens.scope,
        claims=dict(id_claims),
    )
