"""OAuth 2.0 / OpenID Connect helpers: login URLs, code exchange, token validation, PKCE, JWKS.

Importing this package is cheap: httpx and PyJWT are imported on first use.

Example:
    >>> from scalekit_py.oauth import OAuthClient, AuthorizationUrlOptions, generate_pkce_pair
    >>> verifier, challenge = generate_pkce_pair()
    >>> oauth = OAuthClient(env_url, client_id, client_secret)
    >>> url = oauth.get_authorization_url(redirect_uri, AuthorizationUrlOptions(code_challenge=challenge))
"""

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
