"""Typed options of the OAuth/OIDC helpers, named as in the official ``scalekit-sdk-python``.

The official SDK builds options by assigning attributes (``options = AuthorizationUrlOptions();
options.state = "..."``); these dataclasses keep that working and also take keyword arguments.
Everything defaults to "not set". Reprs never show tokens or code verifiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scalekit_py.oauth._mask import fingerprint

__all__ = [
    "AuthorizationUrlOptions",
    "CodeAuthenticationOptions",
    "LogoutUrlOptions",
    "TokenValidationOptions",
]


@dataclass
class AuthorizationUrlOptions:
    """Query parameters of the authorization URL beyond ``client_id`` and ``redirect_uri``.

    Attributes:
        scopes: requested scopes; default ``["openid", "profile", "email"]``. Add ``"offline_access"``
            to get a refresh token.
        state: opaque value echoed back to the redirect URI; bind it to the browser session (CSRF).
        nonce: value the ID token must carry back; checked by ``authenticate_with_code``.
        login_hint: the user's email, to pre-fill or route the login.
        domain_hint: an email domain, to route to that organization's SSO connection.
        connection_id: log in through this connection (``conn_...``).
        organization_id: log in through this organization's connections (``org_...``).
        provider: a social provider, e.g. ``"google"``, ``"microsoft"``, ``"github"``.
        prompt: OIDC ``prompt``, e.g. ``"login"``, ``"consent"``, ``"create"``, ``"select_account"``.
        code_challenge: PKCE challenge from :func:`~scalekit_py.oauth.generate_pkce_pair`.
        code_challenge_method: PKCE method; ``"S256"`` when a challenge is given and this is not.
    """

    scopes: Sequence[str] | None = None
    state: str | None = None
    nonce: str | None = None
    login_hint: str | None = None
    domain_hint: str | None = None
    connection_id: str | None = None
    organization_id: str | None = None
    provider: str | None = None
    prompt: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None


@dataclass
class CodeAuthenticationOptions:
    """Options of ``authenticate_with_code``.

    Attributes:
        code_verifier: the PKCE verifier whose challenge went into the authorization URL.
        nonce: the nonce that went into the authorization URL; the ID token must carry it.
            (An addition to the official SDK, which does not check nonces.)
    """

    code_verifier: str | None = None
    nonce: str | None = None

    def __repr__(self) -> str:
        verifier = fingerprint(self.code_verifier)
        return f"CodeAuthenticationOptions(code_verifier={verifier}, nonce={self.nonce!r})"


@dataclass
class TokenValidationOptions:
    """What ``validate_token`` and friends require of a token besides a valid signature.

    Attributes:
        issuer: the accepted ``iss`` value(s); default: the client's environment URL. Matching is
            exact. Unlike the official SDK, the issuer check cannot be switched off (an empty value
            raises ``ValueError``).
        audience: the accepted ``aud`` values (any one must be in the token); default: the client's
            ``client_id``. An empty sequence skips the audience check (the official SDK's default).
        required_scopes: scopes the token must grant, read from its ``scope`` claim (space-separated
            string, RFC 9068) and/or its ``scopes`` claim (array).
        leeway: seconds of clock skew tolerated on ``exp``, ``nbf`` and ``iat``; default: the
            client's ``leeway``.
    """

    issuer: str | Sequence[str] | None = None
    audience: str | Sequence[str] | None = None
    required_scopes: Sequence[str] | None = None
    leeway: float | None = None


@dataclass
class LogoutUrlOptions:
    """Query parameters of the logout (end-session) URL.

    Attributes:
        id_token_hint: the ID token of the session being ended.
        post_logout_redirect_uri: where to send the browser afterwards (must be allow-listed).
        state: opaque value echoed back to ``post_logout_redirect_uri``.
    """

    id_token_hint: str | None = None
    post_logout_redirect_uri: str | None = None
    state: str | None = None

    def __repr__(self) -> str:
        return (
            f"LogoutUrlOptions(id_token_hint={fingerprint(self.id_token_hint)}, "
            f"post_logout_redirect_uri={self.post_logout_redirect_uri!r}, state={self.state!r})"
        )
