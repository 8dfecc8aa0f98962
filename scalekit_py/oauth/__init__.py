"""OAuth 2.0 / OpenID Connect helpers: login URLs, code exchange, token validation, PKCE, JWKS.

Importing this package is cheap: names load on first access, and httpx and PyJWT are imported on
first use, so ``from scalekit_py.oauth import AuthorizationUrlOptions`` costs almost nothing.

Example:
    >>> from scalekit_py.oauth import OAuthClient, AuthorizationUrlOptions, generate_pkce_pair
    >>> verifier, challenge = generate_pkce_pair()
    >>> oauth = OAuthClient(env_url, client_id, client_secret)
    >>> url = oauth.get_authorization_url(redirect_uri, AuthorizationUrlOptions(code_challenge=challenge))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scalekit_py.oauth.claims import extract_scopes
    from scalekit_py.oauth.client import AsyncOAuthClient, OAuthClient
    from scalekit_py.oauth.jwks import JwksCache
    from scalekit_py.oauth.options import (
        AuthorizationUrlOptions,
        CodeAuthenticationOptions,
        LogoutUrlOptions,
        TokenValidationOptions,
    )
    from scalekit_py.oauth.pkce import generate_pkce_pair, pkce_challenge
    from scalekit_py.oauth.results import (
        AuthenticationResponse,
        DiscoveryDocument,
        IdpInitiatedLoginClaims,
        TokenIntrospection,
        TokenResponse,
        User,
    )

_EXPORTS = {
    "AsyncOAuthClient": "client",
    "OAuthClient": "client",
    "JwksCache": "jwks",
    "AuthorizationUrlOptions": "options",
    "CodeAuthenticationOptions": "options",
    "LogoutUrlOptions": "options",
    "TokenValidationOptions": "options",
    "generate_pkce_pair": "pkce",
    "pkce_challenge": "pkce",
    "AuthenticationResponse": "results",
    "DiscoveryDocument": "results",
    "IdpInitiatedLoginClaims": "results",
    "TokenIntrospection": "results",
    "TokenResponse": "results",
    "User": "results",
    "extract_scopes": "claims",
}

__all__ = [
    "AsyncOAuthClient",
    "AuthenticationResponse",
    "AuthorizationUrlOptions",
    "CodeAuthenticationOptions",
    "DiscoveryDocument",
    "IdpInitiatedLoginClaims",
    "JwksCache",
    "LogoutUrlOptions",
    "OAuthClient",
    "TokenIntrospection",
    "TokenResponse",
    "TokenValidationOptions",
    "User",
    "extract_scopes",
    "generate_pkce_pair",
    "pkce_challenge",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
